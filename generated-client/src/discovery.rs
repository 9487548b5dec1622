//! Discovery: which APIs the NAS publishes, where, and in which versions; the version a call
//! uses is the highest both sides speak that the method and its parameters allow.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::Value;

use crate::Error;
use crate::rt::{MethodMeta, Params};

/// The answer of `SYNO.API.Info` `query=all`, cached once per client: only the entries whose
/// path is a plain relative CGI name and whose versions make sense.
#[derive(Debug)]
pub(crate) struct Discovery {
    apis: HashMap<String, Entry>,
    /// Suggestions per missing API, computed once: scoring a thousand names is not free.
    suggested: std::sync::Mutex<HashMap<String, Vec<String>>>,
}

/// An API as the NAS publishes it (its `SYNO.API.Info` entry), from
/// [`Client::published_apis`](crate::Client::published_apis).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct PublishedApi {
    /// `SYNO.Core.System`
    pub name: String,
    /// Lowest version.
    pub min_version: u32,
    /// Highest version.
    pub max_version: u32,
    /// CGI path under `/webapi/` (`entry.cgi`).
    pub path: String,
    /// `JSON` when the API takes JSON-encoded parameter values.
    pub request_format: Option<String>,
}

/// Where and how to send one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target<'a> {
    pub path: &'a str,
    pub version: u32,
}

/// One API as the NAS publishes it, checked.
#[derive(Debug)]
struct Entry {
    path: String,
    min_version: u32,
    max_version: u32,
    /// `requestFormat` as published (`JSON` on APIs that take JSON-encoded values).
    request_format: Option<String>,
}

impl Entry {
    /// Whether the NAS wants JSON-encoded parameter values (`requestFormat: JSON`).
    fn json(&self) -> bool {
        self.request_format
            .as_deref()
            .is_some_and(|f| f.eq_ignore_ascii_case("json"))
    }
}

/// One `SYNO.API.Info` entry as sent: read loosely (any JSON value, any field types), so that
/// one hostile entry is dropped instead of failing the whole answer.
#[derive(Default)]
pub(crate) struct WireEntry {
    path: Value,
    min_version: Value,
    max_version: Value,
    request_format: Value,
}

impl<'de> Deserialize<'de> for WireEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, Visitor};
        struct Loose;
        impl<'de> Visitor<'de> for Loose {
            type Value = WireEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WireEntry, A::Error> {
                let mut entry = WireEntry::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match &*key {
                        "path" => entry.path = map.next_value()?,
                        "minVersion" => entry.min_version = map.next_value()?,
                        "maxVersion" => entry.max_version = map.next_value()?,
                        "requestFormat" => entry.request_format = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(entry)
            }
            // Anything but an object is an entry with no path: refused by `check`.
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<WireEntry, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(WireEntry::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<WireEntry, E> {
                Ok(WireEntry::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<WireEntry, E> {
                Ok(WireEntry::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<WireEntry, E> {
                Ok(WireEntry::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<WireEntry, E> {
                Ok(WireEntry::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<WireEntry, E> {
                Ok(WireEntry::default())
            }
            fn visit_unit<E>(self) -> Result<WireEntry, E> {
                Ok(WireEntry::default())
            }
        }
        d.deserialize_any(Loose)
    }
}

impl WireEntry {
    /// The entry, or why it is refused.
    fn check(self) -> Result<Entry, String> {
        let Value::String(path) = self.path else {
            return Err("it is not an object with a string path".into());
        };
        check_path(&path)?;
        let version = |v: &Value| {
            match v {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.trim().parse::<u64>().ok(),
                _ => None,
            }
            .and_then(|n| u32::try_from(n).ok())
        };
        let (Some(min_version), Some(max_version)) =
            (version(&self.min_version), version(&self.max_version))
        else {
            return Err(format!(
                "its versions ({}, {}) are not both whole numbers from 0 to 2^32-1",
                self.min_version, self.max_version
            ));
        };
        if min_version > max_version {
            return Err(format!(
                "its lowest version {min_version} is above its highest {max_version}"
            ));
        }
        let request_format = match self.request_format {
            Value::String(f)
                if !f.is_empty()
                    && f.len() <= 32
                    && f.bytes().all(|b| b.is_ascii_alphanumeric()) =>
            {
                Some(f)
            }
            _ => None,
        };
        Ok(Entry {
            path,
            min_version,
            max_version,
            request_format,
        })
    }
}

/// A path the client may put after `/webapi/`: relative, plain segments of ASCII letters,
/// digits, `_`, `-` and `.` (no `.` or `..` segment), ending in `.cgi`. DSM's own are
/// `entry.cgi`, `AudioStation/album.cgi`, and DSM 5's long `____…entry.cgi`.
pub(crate) fn check_path(path: &str) -> Result<(), String> {
    let plain = |seg: &str| {
        !seg.is_empty()
            && seg != "."
            && seg != ".."
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    };
    if path.len() <= 256 && path.ends_with(".cgi") && path.split('/').all(plain) {
        Ok(())
    } else {
        Err(format!(
            "its path {path:?} is not a plain relative CGI name"
        ))
    }
}

impl Discovery {
    /// The checked entries of an answer; refused ones are left out with a warning, so the
    /// API counts as absent and no URL is ever built from them.
    pub(crate) fn from_answer(answer: BTreeMap<String, WireEntry>) -> Self {
        let apis = answer
            .into_iter()
            .filter_map(|(name, wire)| match wire.check() {
                Ok(entry) => Some((name, entry)),
                Err(why) => {
                    tracing::warn!(api = ?name, "ignoring a SYNO.API.Info entry: {why}");
                    None
                }
            })
            .collect();
        Discovery {
            apis,
            suggested: std::sync::Mutex::default(),
        }
    }

    /// The path and version for a call, or `Unsupported` / `VersionNotOffered` (nothing is
    /// sent).
    pub(crate) fn resolve(&self, params: &Params) -> Result<Target<'_>, Error> {
        self.resolve_method(params.meta, params.needed_version())
    }

    /// The path and version for a call to `method` that needs version `needed` or later.
    pub(crate) fn resolve_method(
        &self,
        method: &'static MethodMeta,
        needed: u32,
    ) -> Result<Target<'_>, Error> {
        let api = method.api;
        let Some(entry) = self.apis.get(api.name) else {
            return Err(Error::Unsupported {
                api: api.name.into(),
                needed_version: needed,
                available: None,
                suggestions: self.suggestions_cached(api.name),
            });
        };
        Ok(Target {
            path: &entry.path,
            version: choose(method, needed, (entry.min_version, entry.max_version))?,
        })
    }

    fn suggestions_cached(&self, name: &str) -> Vec<String> {
        let mut cache = self.suggested.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(name.to_owned())
            .or_insert_with(|| self.suggestions(name))
            .clone()
    }

    /// Up to three published API names closest to `name`.
    fn suggestions(&self, name: &str) -> Vec<String> {
        // The same family first ("SYNO.CloudSync." for "SYNO.CloudSync.Connection"): closest
        // in meaning, and a few names to score rather than a thousand.
        let family: String = name.split('.').take(2).collect::<Vec<_>>().join(".");
        let in_family = |k: &&String| k.as_str() == family || k.starts_with(&format!("{family}."));
        let mut candidates: Vec<&String> = self.apis.keys().filter(in_family).collect();
        if candidates.is_empty() {
            candidates = self.apis.keys().collect();
        }
        let mut scored: Vec<(f64, &String)> = candidates
            .into_iter()
            .map(|k| (strsim::jaro_winkler(name, k), k))
            .filter(|(s, _)| *s >= 0.85)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored.into_iter().take(3).map(|(_, k)| k.clone()).collect()
    }

    /// Whether the NAS publishes `name` at all.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.apis.contains_key(name)
    }

    /// The NAS's versions of `api` and whether it wants JSON-encoded values, when it lists it.
    pub(crate) fn published_entry(&self, api: &str) -> Option<(u32, u32, bool)> {
        self.apis.get(api).map(|e| {
            let json = e.json();
            (e.min_version, e.max_version, json)
        })
    }

    /// Every API the NAS publishes, by name.
    pub(crate) fn published(&self) -> Vec<PublishedApi> {
        let mut all: Vec<PublishedApi> = self
            .apis
            .iter()
            .map(|(name, e)| PublishedApi {
                name: name.clone(),
                min_version: e.min_version,
                max_version: e.max_version,
                path: e.path.clone(),
                request_format: e.request_format.clone(),
            })
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    /// Where a raw call to `api` goes and whether the NAS wants JSON-encoded values: the
    /// version is `explicit`, else the highest both the NAS and `spec` (the method, when the
    /// spec describes it: its API's range and its own versions) allow. An API the NAS does
    /// not publish is `Unsupported`, with the names it does publish that come closest.
    pub(crate) fn resolve_raw(
        &self,
        api: &str,
        spec: Option<&'static MethodMeta>,
        explicit: Option<u32>,
    ) -> Result<(Target<'_>, bool), Error> {
        let Some(entry) = self.apis.get(api) else {
            return Err(Error::Unsupported {
                api: api.to_owned().into(),
                needed_version: explicit.or(spec.map(spec_min)).unwrap_or(1),
                available: None,
                suggestions: self.suggestions_cached(api),
            });
        };
        let json = entry.json();
        let nas = (entry.min_version, entry.max_version);
        let version = match (explicit, spec) {
            (Some(v), _) => v,
            (None, Some(m)) => choose(m, spec_min(m), nas)?,
            (None, None) => entry.max_version,
        };
        Ok((
            Target {
                path: &entry.path,
                version,
            },
            json,
        ))
    }
}

/// The lowest version a call to `method` can use with no parameters set.
pub(crate) fn spec_min(method: &MethodMeta) -> u32 {
    method.min_version.max(method.api.min_version)
}

/// The version a call to `method` goes at: the highest that the NAS's range `nas`, the spec's
/// range (from `needed`, the lowest the method and the call's parameters need, to the API's
/// highest) and the method's own versions all allow. With none, `Unsupported` for a method
/// of every version, `VersionNotOffered` for a method of only some.
pub(crate) fn choose(method: &MethodMeta, needed: u32, nas: (u32, u32)) -> Result<u32, Error> {
    let (low, high) = (needed.max(nas.0), method.api.max_version.min(nas.1));
    match method.versions {
        None if low <= high => Ok(high),
        None => Err(Error::Unsupported {
            api: method.api.name.into(),
            needed_version: needed,
            available: Some(nas),
            suggestions: Vec::new(),
        }),
        Some(set) => set
            .iter()
            .rev()
            .copied()
            .find(|v| (low..=high).contains(v))
            .ok_or_else(|| not_offered(method, needed, nas)),
    }
}

/// `VersionNotOffered` for a call to `method` needing version `needed` or later on a NAS
/// offering the range `nas`.
pub(crate) fn not_offered(method: &MethodMeta, needed: u32, nas: (u32, u32)) -> Error {
    let set = method.versions.unwrap_or_default();
    let mut offered: Vec<u32> = set.iter().copied().filter(|v| *v >= needed).collect();
    if offered.is_empty() {
        offered = set.to_vec();
    }
    Error::VersionNotOffered {
        api: method.api.name.into(),
        method: method.name.into(),
        offered,
        available: nas,
    }
}

#[cfg(test)]
mod tests {
    use super::{check_path, choose};
    use crate::Error;
    use crate::tests::snapshot_showcase::showcase::family_api::{
        EXPORT_LEGACY, SAMPLE, SET_CONFIG,
    };

    #[test]
    fn the_version_is_the_highest_every_side_allows() {
        // SYNO.Showcase is 1-3; export_legacy only 1, sample 1 and 3, set_config 2 up.
        let ok = |m, needed, nas| choose(m, needed, nas).ok();
        assert_eq!(ok(&SET_CONFIG, 2, (1, 7)), Some(3));
        assert_eq!(ok(&SET_CONFIG, 2, (1, 2)), Some(2));
        assert_eq!(ok(&EXPORT_LEGACY, 1, (1, 2)), Some(1));
        assert_eq!(ok(&SAMPLE, 1, (1, 2)), Some(1));
        assert_eq!(ok(&SAMPLE, 1, (2, 7)), Some(3));
        assert_eq!(ok(&SAMPLE, 3, (1, 3)), Some(3));
        let unsupported = choose(&SET_CONFIG, 3, (1, 2)).unwrap_err();
        assert!(
            matches!(
                unsupported,
                Error::Unsupported {
                    needed_version: 3,
                    available: Some((1, 2)),
                    ..
                }
            ),
            "{unsupported:?}"
        );
        for (m, needed, nas, offered) in [
            (&EXPORT_LEGACY, 1, (2, 3), vec![1]),
            (&SAMPLE, 1, (2, 2), vec![1, 3]),
            (&SAMPLE, 3, (1, 2), vec![3]),
            (&SAMPLE, 2, (4, 9), vec![3]),
        ] {
            match choose(m, needed, nas) {
                Err(Error::VersionNotOffered {
                    offered: o,
                    available,
                    ..
                }) => assert_eq!((o, available), (offered, nas)),
                other => panic!("{} at {needed}+ on {nas:?}: {other:?}", m.name),
            }
        }
    }

    #[test]
    fn only_plain_relative_cgi_paths_pass() {
        for good in [
            "entry.cgi",
            "AudioStation/album.cgi",
            "____entry.cgi",
            "a-b.c_d.cgi",
        ] {
            assert_eq!(check_path(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "/entry.cgi",
            "../entry.cgi",
            "a/../entry.cgi",
            "./entry.cgi",
            "entry.cgi?x=1",
            "entry.cgi#f",
            "https://evil.example/entry.cgi",
            "//evil.example/x.cgi",
            "entry.cgi\n",
            "e\u{7}ntry.cgi",
            "entry.php",
            "a//b.cgi",
            "entry.cgi/",
            "\u{202e}entry.cgi",
            "a\\b.cgi",
            "a b.cgi",
            "%2e%2e/x.cgi",
        ] {
            assert!(check_path(bad).is_err(), "{bad:?}");
        }
        assert!(check_path(&format!("{}.cgi", "a".repeat(300))).is_err());
    }
}
