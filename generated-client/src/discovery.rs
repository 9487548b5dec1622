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
}

/// Where and how to send one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub path: String,
    pub version: u32,
}

impl Discovery {
    pub(crate) fn new(apis: BTreeMap<String, ApiInfoEntry>) -> Self {
        Discovery {
            apis: apis.into_iter().collect(),
        }
    }

    /// The path and version for a call, or `Unsupported` (nothing is sent).
    pub(crate) fn resolve(&self, params: &Params) -> Result<Target, Error> {
        self.resolve_version(params.meta.api, params.needed_version())
    }

    pub(crate) fn resolve_version(
        &self,
        api: &'static ApiMeta,
        needed: u32,
    ) -> Result<Target, Error> {
        let Some(entry) = self.apis.get(api.name) else {
            return Err(Error::Unsupported {
                api: api.name,
                needed_version: needed,
                available: None,
                suggestions: self.suggestions(api.name),
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
            path: entry.path.clone(),
            version: high,
        })
    }

    /// Up to three published API names closest to `name`.
    fn suggestions(&self, name: &str) -> Vec<String> {
        let mut scored: Vec<(f64, &String)> = self
            .apis
            .keys()
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
