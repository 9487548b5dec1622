//! `UnixTime`: seconds since the Unix epoch, as DSM sends them.

use std::fmt;

/// Seconds since 1970-01-01 UTC. Decodes from a JSON number or a numeric string, and
/// serializes as the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixTime(pub i64);

impl UnixTime {
    /// The time as a [`std::time::SystemTime`].
    pub fn to_system_time(self) -> std::time::SystemTime {
        let offset = std::time::Duration::from_secs(self.0.unsigned_abs());
        if self.0 >= 0 {
            std::time::UNIX_EPOCH + offset
        } else {
            std::time::UNIX_EPOCH - offset
        }
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl serde::Serialize for UnixTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for UnixTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::de::int::<D, i64>(d).map(UnixTime)
    }
}

/// A [`jiff::Timestamp`] as the whole second it falls in: the sub-second part is dropped,
/// rounding towards the past, so `1969-12-31T23:59:59.5Z` is `UnixTime(-1)`. Every
/// `Timestamp` fits.
#[cfg(feature = "jiff")]
#[cfg_attr(docsrs, doc(cfg(feature = "jiff")))]
impl From<jiff::Timestamp> for UnixTime {
    fn from(time: jiff::Timestamp) -> Self {
        let second = time.as_second();
        // `as_second` truncates towards zero; jiff's range is far inside `i64`'s.
        UnixTime(if time.subsec_nanosecond() < 0 {
            second - 1
        } else {
            second
        })
    }
}

/// The [`jiff::Timestamp`] of a `UnixTime`. Fails, without panicking, for a time outside
/// jiff's range (years -9999 to 9999), which a server can send.
///
/// ```
/// use synology_client::UnixTime;
///
/// let time = jiff::Timestamp::try_from(UnixTime(1_700_000_000))?;
/// assert_eq!(time.to_string(), "2023-11-14T22:13:20Z");
/// assert!(jiff::Timestamp::try_from(UnixTime(i64::MAX)).is_err());
/// # Ok::<(), jiff::Error>(())
/// ```
#[cfg(feature = "jiff")]
#[cfg_attr(docsrs, doc(cfg(feature = "jiff")))]
impl TryFrom<UnixTime> for jiff::Timestamp {
    type Error = jiff::Error;

    fn try_from(time: UnixTime) -> Result<Self, Self::Error> {
        jiff::Timestamp::from_second(time.0)
    }
}

#[cfg(all(test, feature = "jiff"))]
mod jiff_tests {
    use jiff::Timestamp;

    use super::UnixTime;

    #[test]
    fn converts_both_ways_within_range() {
        for second in [0, 1, -1, 1_700_000_000, -1_700_000_000, 4_102_444_800] {
            let time = Timestamp::try_from(UnixTime(second)).unwrap();
            assert_eq!(time.as_second(), second);
            assert_eq!(UnixTime::from(time), UnixTime(second));
        }
        assert_eq!(
            Timestamp::try_from(UnixTime(1_700_000_000))
                .unwrap()
                .to_string(),
            "2023-11-14T22:13:20Z"
        );
    }

    #[test]
    fn out_of_range_is_an_error_not_a_panic() {
        for second in [i64::MAX, i64::MIN, 1 << 40, -(1 << 40)] {
            assert!(Timestamp::try_from(UnixTime(second)).is_err(), "{second}");
        }
    }

    #[test]
    fn every_timestamp_fits_rounding_towards_the_past() {
        assert_eq!(
            UnixTime::from(Timestamp::MAX),
            UnixTime(Timestamp::MAX.as_second())
        );
        assert_eq!(
            UnixTime::from(Timestamp::MIN),
            UnixTime(Timestamp::MIN.as_second())
        );
        for end in [Timestamp::MIN, Timestamp::MAX] {
            let back = Timestamp::try_from(UnixTime::from(end)).unwrap();
            assert_eq!(back.as_second(), end.as_second());
        }
        let half = |s, ns| UnixTime::from(Timestamp::new(s, ns).unwrap());
        assert_eq!(half(5, 500_000_000), UnixTime(5));
        assert_eq!(half(0, -500_000_000), UnixTime(-1));
        assert_eq!(half(-5, -500_000_000), UnixTime(-6));
    }
}
