//! Finite floats only: DSM reads numbers as text, and neither plain text nor JSON has a form
//! for NaN or the infinities (serde_json writes them as `null`). [`check`] refuses one float;
//! [`Finite`] walks any `Serialize` value (a list of floats, a struct with a float field) and
//! refuses it when it holds one, writing nothing.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Serializer};

/// Why a value cannot be written: it holds NaN or an infinity.
#[derive(Debug)]
pub(crate) struct NotFinite(String);

impl fmt::Display for NotFinite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotFinite {}

impl ser::Error for NotFinite {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        NotFinite(msg.to_string())
    }
}

/// `Ok` for a finite float; NaN and the infinities are refused, by name.
pub(crate) fn check(v: f64) -> Result<(), NotFinite> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(NotFinite(format!(
            "{v} is not a finite number, and only finite numbers can be sent"
        )))
    }
}

/// A serializer that writes nothing and fails on the first float that is not finite.
pub(crate) struct Finite;

macro_rules! accept {
    ($($f:ident: $t:ty),*) => {
        $(fn $f(self, _: $t) -> Result<(), NotFinite> { Ok(()) })*
    };
}

impl Serializer for Finite {
    type Ok = ();
    type Error = NotFinite;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    accept!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16,
        serialize_u32: u32, serialize_u64: u64, serialize_u128: u128, serialize_char: char,
        serialize_str: &str, serialize_bytes: &[u8], serialize_unit_struct: &'static str);

    fn serialize_f32(self, v: f32) -> Result<(), NotFinite> {
        check(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), NotFinite> {
        check(v)
    }
    fn serialize_none(self) -> Result<(), NotFinite> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), NotFinite> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), NotFinite> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), NotFinite> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), NotFinite> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        v: &T,
    ) -> Result<(), NotFinite> {
        v.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, NotFinite> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, NotFinite> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, NotFinite> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, NotFinite> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, NotFinite> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, NotFinite> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, NotFinite> {
        Ok(self)
    }
}

/// The compound parts: every element, key, value and field is walked the same way.
macro_rules! compound {
    ($($trait:ident :: $f:ident $(($key:ty))?),*) => {
        $(impl ser::$trait for Finite {
            type Ok = ();
            type Error = NotFinite;
            fn $f<T: Serialize + ?Sized>(&mut self, $(_: $key,)? v: &T) -> Result<(), NotFinite> {
                v.serialize(Finite)
            }
            fn end(self) -> Result<(), NotFinite> {
                Ok(())
            }
        })*
    };
}
compound!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
    SerializeStruct::serialize_field(&'static str),
    SerializeStructVariant::serialize_field(&'static str)
);

impl ser::SerializeMap for Finite {
    type Ok = ();
    type Error = NotFinite;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), NotFinite> {
        k.serialize(Finite)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), NotFinite> {
        v.serialize(Finite)
    }
    fn end(self) -> Result<(), NotFinite> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::{Finite, check};

    #[derive(Serialize)]
    struct Point {
        label: String,
        at: Option<Vec<f64>>,
    }

    #[test]
    fn only_values_without_nan_or_infinities_pass() {
        assert!(check(0.1).is_ok() && check(-0.0).is_ok() && check(f64::MAX).is_ok());
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(check(bad).is_err(), "{bad}");
        }
        let ok = Point {
            label: "a".into(),
            at: Some(vec![1.5, -2.0]),
        };
        assert!(ok.serialize(Finite).is_ok());
        let nested = vec![Point {
            label: "b".into(),
            at: Some(vec![1.0, f64::NAN]),
        }];
        let err = nested.serialize(Finite).unwrap_err();
        assert_eq!(
            err.to_string(),
            "NaN is not a finite number, and only finite numbers can be sent"
        );
        let map = BTreeMap::from([("k", f64::NEG_INFINITY)]);
        assert!(map.serialize(Finite).is_err());
        assert!(Some(f32::INFINITY).serialize(Finite).is_err());
        assert!(("x", 1_u8, [2.0_f64]).serialize(Finite).is_ok());
    }
}
