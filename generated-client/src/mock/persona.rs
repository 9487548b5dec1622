//! Which DSM release the mock acts as: the layout of the APIs a client reads first (where
//! `SYNO.API.Info`, `SYNO.API.Auth`, `SYNO.DSM.Info`, ... live, in which versions), as the
//! recorded DSM 5, 6 and 7 boxes publish them (`../shared/fixtures/real-dsm/`), and which of
//! the spec's `mock_data` entries the mock answers with.

use super::MockConfig;

/// The CGI file every `entry.cgi` API of the recorded DSM 5.2 box is listed at: DSM 5
/// pads the name with underscores (`SYNO.API.Info` reports it so for all 349 such APIs).
pub const DSM5_ENTRY_CGI: &str = "_______________________________________________________entry.cgi";

/// Where DSM 5 answers storage (`SYNO.Storage.CGI.Storage`, `load_info`): outside `/webapi/`,
/// not in its API.Info answer, and flat (`success` beside the data, no `data` envelope).
/// Clients that support DSM 5 (Home Assistant's) read it there; the DSM 5 persona serves it.
pub const DSM5_STORAGE_HANDLER: &str = "/webman/modules/StorageManager/storagehandler.cgi";

/// A DSM release the mock can act as ([`MockConfig::dsm5`], [`MockConfig::dsm6`],
/// [`MockConfig::dsm7`]): its API layout, and the spec's data for it (`mock_data`, keyed
/// by [`key`](Self::key)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[non_exhaustive]
pub enum Persona {
    /// DSM 5.2, like the recorded DSM 5 box.
    Dsm5,
    /// DSM 6.2, like the recorded DSM 6 box.
    Dsm6,
    /// DSM 7.2, like the recorded DSM 7 box (the default).
    #[default]
    Dsm7,
}

impl Persona {
    /// Every persona, oldest first.
    pub const ALL: [Persona; 3] = [Persona::Dsm5, Persona::Dsm6, Persona::Dsm7];

    /// The persona's name in the spec's `mock_data`: `dsm5`, `dsm6`, `dsm7`.
    pub fn key(self) -> &'static str {
        match self {
            Persona::Dsm5 => "dsm5",
            Persona::Dsm6 => "dsm6",
            Persona::Dsm7 => "dsm7",
        }
    }

    /// DSM's major version: 5, 6 or 7.
    pub fn major(self) -> u8 {
        match self {
            Persona::Dsm5 => 5,
            Persona::Dsm6 => 6,
            Persona::Dsm7 => 7,
        }
    }

    /// The persona of DSM major version `major` (5, 6 or 7), for a `--dsm 5|6|7` flag.
    pub fn from_major(major: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.major() == major)
    }

    /// The mock's configuration for this persona (`MockConfig::dsm5()`, ...).
    pub fn config(self) -> MockConfig {
        match self {
            Persona::Dsm5 => MockConfig::dsm5(),
            Persona::Dsm6 => MockConfig::dsm6(),
            Persona::Dsm7 => MockConfig::dsm7(),
        }
    }

    /// The persona of a NAS whose `SYNO.API.Auth` goes up to `max_version`: DSM 7 serves
    /// version 7, DSM 6 version 6, DSM 5 at most 4 (what the recorded boxes list); no Auth
    /// at all reads as DSM 7, the mock's default.
    pub(super) fn of_auth_max(max_version: Option<u32>) -> Self {
        match max_version {
            Some(v) if v <= 4 => Persona::Dsm5,
            Some(5 | 6) => Persona::Dsm6,
            _ => Persona::Dsm7,
        }
    }
}

impl std::fmt::Display for Persona {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DSM {}", self.major())
    }
}

/// DSM 5's layout over DSM 7's: every `entry.cgi` API moves to [`DSM5_ENTRY_CGI`]; the login
/// APIs go to their own CGI files; `SYNO.DSM.Info` answers at `dsm/info.cgi` in version 1
/// (no `requestFormat`); `SYNO.Core.System` goes up to version 2; `SYNO.Storage.CGI.Storage`
/// and `SYNO.API.Auth.UIConfig` are not published. APIs of families the build leaves out
/// stay unpublished.
pub(super) fn dsm5_layout(mut config: MockConfig) -> MockConfig {
    for published in config.apis.values_mut() {
        if published.path == "entry.cgi" {
            published.path = DSM5_ENTRY_CGI.to_owned();
        }
    }
    let config = config
        .api("SYNO.API.Auth", "auth.cgi", 1, 4)
        .api("SYNO.API.Info", "query.cgi", 1, 1)
        .api("SYNO.API.Encryption", "encryption.cgi", 1, 1)
        .without_api("SYNO.API.Auth.UIConfig")
        .without_api("SYNO.Storage.CGI.Storage")
        .moved("SYNO.DSM.Info", "dsm/info.cgi", 1, 1)
        .moved("SYNO.Core.System", DSM5_ENTRY_CGI, 1, 2);
    config.request_format("SYNO.DSM.Info", "")
}

impl MockConfig {
    /// Publishes `api` at `path` with versions `min..=max` when it is published at all (its
    /// family is in the build), keeping its request format.
    fn moved(self, api: &str, path: &str, min_version: u32, max_version: u32) -> Self {
        if self.apis.contains_key(api) {
            self.api(api, path, min_version, max_version)
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Persona;

    #[test]
    fn the_auth_version_tells_the_release() {
        assert_eq!(Persona::of_auth_max(Some(4)), Persona::Dsm5);
        assert_eq!(Persona::of_auth_max(Some(3)), Persona::Dsm5);
        assert_eq!(Persona::of_auth_max(Some(6)), Persona::Dsm6);
        assert_eq!(Persona::of_auth_max(Some(7)), Persona::Dsm7);
        assert_eq!(Persona::of_auth_max(None), Persona::Dsm7);
        for p in Persona::ALL {
            assert_eq!(Persona::from_major(p.major()), Some(p));
            assert_eq!(p.config().persona(), p);
        }
        assert_eq!(Persona::from_major(4), None);
        assert_eq!(Persona::default(), Persona::Dsm7);
    }
}
