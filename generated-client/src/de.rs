//! Lenient decoding: DSM sends some numbers as JSON strings (`"39978088267776"`). Integer
//! and float fields accept both, through a small visitor (no `untagged` buffering), and
//! serialize as numbers (floats are always finite, so never as `null`). Open enums decode
//! any string.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// An integer type that can be decoded leniently.
pub trait LenientInt: Sized + TryFrom<i64> + TryFrom<u64> {
    /// Its name, for error messages.
    const NAME: &'static str;
}

macro_rules! lenient {
    ($($t:ty),*) => { $(impl LenientInt for $t { const NAME: &'static str = stringify!($t); })* };
}
lenient!(i8, i16, i32, i64, u8, u16, u32, u64);

struct IntVisitor<T>(PhantomData<T>);

impl<T: LenientInt> IntVisitor<T> {
    fn fit<E: de::Error, V: TryInto<T> + fmt::Display + Copy>(v: V) -> Result<T, E> {
        v.try_into()
            .map_err(|_| E::custom(format_args!("{v} does not fit in {}", T::NAME)))
    }
}

impl<'de, T: LenientInt> Visitor<'de> for IntVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an integer ({}) or a string holding one", T::NAME)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        Self::fit(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        Self::fit(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        // `3.0` is an integer in a float's clothes; `3.5` is not.
        if v.fract() == 0.0 && v >= i64::MIN as f64 && v <= i64::MAX as f64 {
            Self::fit(v as i64)
        } else {
            Err(E::invalid_type(de::Unexpected::Float(v), &self))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        let t = v.trim();
        if let Ok(n) = t.parse::<i64>() {
            Self::fit(n)
        } else if let Ok(n) = t.parse::<u64>() {
            Self::fit(n)
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
}

/// An integer, from a number or a numeric string.
pub fn int<'de, D: Deserializer<'de>, T: LenientInt>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(IntVisitor(PhantomData))
}

/// An optional integer: absent or `null` is `None`.
#[allow(dead_code, reason = "generated code uses it, per spec and features")]
pub fn opt_int<'de, D: Deserializer<'de>, T: LenientInt>(d: D) -> Result<Option<T>, D::Error> {
    struct OptVisitor<T>(PhantomData<T>);
    impl<'de, T: LenientInt> Visitor<'de> for OptVisitor<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an integer, a string holding one, or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            int(d).map(Some)
        }
    }
    d.deserialize_option(OptVisitor(PhantomData))
}

struct Lenient<T>(T);

impl<'de, T: LenientInt> serde::Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        int(d).map(Lenient)
    }
}

/// A list of integers, each from a number or a numeric string.
#[allow(dead_code, reason = "generated code uses it, per spec and features")]
pub fn int_list<'de, D: Deserializer<'de>, T: LenientInt>(d: D) -> Result<Vec<T>, D::Error> {
    struct ListVisitor<T>(PhantomData<T>);
    impl<'de, T: LenientInt> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of integers")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            // Capped: a hostile size hint must not reserve unbounded memory.
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(Lenient(v)) = seq.next_element()? {
                out.push(v);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(ListVisitor(PhantomData))
}

/// An optional list of integers.
#[allow(dead_code, reason = "generated code uses it, per spec and features")]
pub fn opt_int_list<'de, D: Deserializer<'de>, T: LenientInt>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    struct OptVisitor<T>(PhantomData<T>);
    impl<'de, T: LenientInt> Visitor<'de> for OptVisitor<T> {
        type Value = Option<Vec<T>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of integers or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            int_list(d).map(Some)
        }
    }
    d.deserialize_option(OptVisitor(PhantomData))
}

struct FloatVisitor;

impl FloatVisitor {
    fn finite<E: de::Error>(v: f64, raw: de::Unexpected<'_>) -> Result<f64, E> {
        if v.is_finite() {
            Ok(v)
        } else {
            Err(E::invalid_value(raw, &FloatVisitor))
        }
    }
}

impl Visitor<'_> for FloatVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a finite number (f64) or a string holding one")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        // The nearest float, as serde_json reads an integer into an f64.
        Ok(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Self::finite(v, de::Unexpected::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        match v.trim().parse::<f64>() {
            // `"NaN"`, `"inf"` and `"1e400"` parse, to values no finite field holds.
            Ok(n) => Self::finite(n, de::Unexpected::Str(v)),
            Err(_) => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

/// A float, from a number or a numeric string; always finite (`"NaN"` and `"inf"` are
/// refused), so it serializes back as a number.
#[allow(dead_code, reason = "generated code uses it, per spec and features")]
pub fn float<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    d.deserialize_any(FloatVisitor)
}

/// An optional float: absent or `null` is `None`.
#[allow(dead_code, reason = "generated code uses it, per spec and features")]
pub fn opt_float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    struct OptVisitor;
    impl<'de> Visitor<'de> for OptVisitor {
        type Value = Option<f64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a number, a string holding one, or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            float(d).map(Some)
        }
    }
    d.deserialize_option(OptVisitor)
}

struct LenientFloat(f64);

impl<'de> serde::Deserialize<'de> for LenientFloat {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        float(d).map(LenientFloat)
    }
}

/// A list of floats, each from a number or a numeric string.
#[allow(dead_code, reason = "generated code uses it, per spec and features")]
pub fn float_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    struct ListVisitor;
    impl<'de> Visitor<'de> for ListVisitor {
        type Value = Vec<f64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of numbers")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            // Capped: a hostile size hint must not reserve unbounded memory.
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(LenientFloat(v)) = seq.next_element()? {
                out.push(v);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(ListVisitor)
}

/// An optional list of floats.
#[allow(dead_code, reason = "generated code uses it, per spec and features")]
pub fn opt_float_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<f64>>, D::Error> {
    struct OptVisitor;
    impl<'de> Visitor<'de> for OptVisitor {
        type Value = Option<Vec<f64>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of numbers or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            float_list(d).map(Some)
        }
    }
    d.deserialize_option(OptVisitor)
}

/// A string-coded open enum: any string decodes, unknown ones to `Unknown`.
#[allow(dead_code, reason = "generated code uses it, per spec and features")]
pub fn string_enum<'de, D: Deserializer<'de>, T: for<'a> From<&'a str>>(
    d: D,
) -> Result<T, D::Error> {
    struct EnumVisitor<T>(PhantomData<T>);
    impl<'de, T: for<'a> From<&'a str>> Visitor<'de> for EnumVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from(v))
        }
    }
    d.deserialize_str(EnumVisitor(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<u64, serde_json::Error> {
        int::<_, u64>(&mut serde_json::Deserializer::from_str(json))
    }

    #[test]
    fn integers_come_as_numbers_or_strings() {
        assert_eq!(parse("39978088267776").unwrap(), 39_978_088_267_776);
        assert_eq!(parse("\"39978088267776\"").unwrap(), 39_978_088_267_776);
        assert_eq!(parse("\" 7 \"").unwrap(), 7);
        assert_eq!(parse("18446744073709551615").unwrap(), u64::MAX);
        assert_eq!(parse("3.0").unwrap(), 3);
    }

    fn parse_float(json: &str) -> Result<f64, serde_json::Error> {
        float(&mut serde_json::Deserializer::from_str(json))
    }

    #[test]
    fn floats_come_as_numbers_or_strings_and_are_finite() {
        assert_eq!(parse_float("0.5").unwrap(), 0.5);
        assert_eq!(parse_float("\"0.5\"").unwrap(), 0.5);
        assert_eq!(parse_float("\" -1.25e2 \"").unwrap(), -125.0);
        assert_eq!(parse_float("3").unwrap(), 3.0);
        assert_eq!(parse_float("-3").unwrap(), -3.0);
        assert_eq!(
            parse_float("18446744073709551615").unwrap(),
            u64::MAX as f64
        );
        for bad in [
            "\"NaN\"",
            "\"inf\"",
            "\"-infinity\"",
            "\"1e400\"",
            "\"x\"",
            "\"\"",
            "1e400",
            "true",
            "null",
            "[]",
            "{}",
        ] {
            assert!(parse_float(bad).is_err(), "{bad} should not decode as f64");
        }
        let list = |json: &str| float_list(&mut serde_json::Deserializer::from_str(json));
        assert_eq!(list("[1, \"2.5\", -0.5]").unwrap(), vec![1.0, 2.5, -0.5]);
        assert!(list("[1, \"NaN\"]").is_err());
        let opt = |json: &str| opt_float(&mut serde_json::Deserializer::from_str(json));
        assert_eq!(opt("null").unwrap(), None);
        assert_eq!(opt("\"7\"").unwrap(), Some(7.0));
        let opt_list = |json: &str| opt_float_list(&mut serde_json::Deserializer::from_str(json));
        assert_eq!(opt_list("null").unwrap(), None);
        assert_eq!(opt_list("[\"1\"]").unwrap(), Some(vec![1.0]));
    }

    #[test]
    fn bad_integers_are_errors_not_panics() {
        for bad in [
            "-1",
            "\"x\"",
            "3.5",
            "true",
            "null",
            "[]",
            "1e400",
            "\"99999999999999999999\"",
        ] {
            assert!(parse(bad).is_err(), "{bad} should not decode as u64");
        }
    }
}
