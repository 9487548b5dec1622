//! Discovery: which APIs the NAS publishes, where, and in which versions; the version a call
//! uses is the highest both sides speak that the method and its parameters allow.

use std::collections::{BTreeMap, HashMap};

use crate::Error;
use crate::generated::api::ApiInfoEntry;
use crate::rt::{ApiMeta, Params};

/// The answer of `SYNO.API.Info` `query=all`, cached once per client.
#[derive(Debug)]
pub(crate) struct Discovery {
    apis: HashMap<String, ApiInfoEntry>,
    /// Suggestions per missing API, computed once: scoring a thousand names is not free.
    suggested: std::sync::Mutex<HashMap<&'static str, Vec<String>>>,
}

/// Where and how to send one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target<'a> {
    pub path: &'a str,
    pub version: u32,
}

impl Discovery {
    pub(crate) fn new(apis: BTreeMap<String, ApiInfoEntry>) -> Self {
        Discovery {
            apis: apis.into_iter().collect(),
            suggested: std::sync::Mutex::default(),
        }
    }

    /// The path and version for a call, or `Unsupported` (nothing is sent).
    pub(crate) fn resolve(&self, params: &Params) -> Result<Target<'_>, Error> {
        self.resolve_version(params.meta.api, params.needed_version())
    }

    pub(crate) fn resolve_version(
        &self,
        api: &'static ApiMeta,
        needed: u32,
    ) -> Result<Target<'_>, Error> {
        let Some(entry) = self.apis.get(api.name) else {
            return Err(Error::Unsupported {
                api: api.name,
                needed_version: needed,
                available: None,
                suggestions: self.suggestions_cached(api.name),
            });
        };
        let low = needed.max(entry.min_version);
        let high = api.max_version.min(entry.max_version);
        if low > high || entry.path.is_empty() {
            return Err(Error::Unsupported {
                api: api.name,
                needed_version: needed,
                available: Some((entry.min_version, entry.max_version)),
                suggestions: Vec::new(),
            });
        }
        Ok(Target {
            path: &entry.path,
            version: high,
        })
    }

    fn suggestions_cached(&self, name: &'static str) -> Vec<String> {
        let mut cache = self.suggested.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(name)
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
}
