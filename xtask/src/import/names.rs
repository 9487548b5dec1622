//! Naming rules of the importer: family files, type names (unique across every spec file,
//! by a fixed collision rule), list items' singular names, and which parameter and field
//! names hold secrets.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Parameter and field names (compared in ASCII lowercase) that hold a secret: masked in
/// logs and `Debug` (parameters), wrapped in the redacting `Secret` type (string fields).
pub const SECRET_NAMES: [&str; 13] = [
    "passwd",
    "password",
    "passphrase",
    "otp_code",
    "device_id",
    "did",
    "token",
    "secret",
    "key",
    "sid",
    "synotoken",
    "access_token",
    "refresh_token",
];

/// Name endings (ASCII lowercase) that mark a secret too: `admin_passwd`, `api_token`,
/// `client_secret`. `_key` is not one of them: `sort_key` and `primary_key` are not secret.
pub const SECRET_SUFFIXES: [&str; 5] = ["_passwd", "_password", "_passphrase", "_token", "_secret"];

/// Name beginnings (ASCII lowercase) of flags about a secret, never a secret themselves:
/// `enable_syno_token`, `is_password_set`.
pub const FLAG_PREFIXES: [&str; 5] = ["enable_", "is_", "has_", "need_", "use_"];

/// Whether a parameter or string field called `name` holds a secret: its name is one of
/// [`SECRET_NAMES`] or ends with one of [`SECRET_SUFFIXES`], and does not start with one of
/// [`FLAG_PREFIXES`].
pub fn is_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (SECRET_NAMES.contains(&lower.as_str()) || SECRET_SUFFIXES.iter().any(|s| lower.ends_with(s)))
        && !FLAG_PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// The output file of a family (`SynologyDrive` → `synology_drive.yaml`).
pub fn family_file(family: &str) -> String {
    format!("{}.yaml", family.to_snake_case())
}

/// UpperCamelCase of one name part (`list_conn` → `ListConn`, `SYNO` parts stay readable).
pub fn camel(part: &str) -> String {
    part.to_upper_camel_case()
}

/// The base of every type name of one method's answer: the API's name without `SYNO`, then
/// the method (`SYNO.Core.System` `info` → `CoreSystemInfo`).
pub fn method_base(api: &str, method: &str) -> String {
    let mut out: String = api.split('.').skip(1).map(camel).collect();
    out.push_str(&camel(method));
    out
}

/// The name part of one item of the list in field `field` (`volumes` → `Volume`, `entries`
/// → `Entry`, `data` → `DataItem`).
pub fn singular(field: &str) -> String {
    let lower = field.to_ascii_lowercase();
    let stem = if lower.ends_with("ies") && field.len() > 3 {
        format!("{}y", &field[..field.len() - 3])
    } else if ["sses", "xes", "ches", "shes"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        field[..field.len() - 2].to_owned()
    } else if lower.ends_with('s')
        && !["ss", "us", "is"].iter().any(|e| lower.ends_with(e))
        && field.len() > 1
    {
        field[..field.len() - 1].to_owned()
    } else {
        format!("{field}_item")
    };
    match camel(&stem) {
        s if s.is_empty() => "Item".to_owned(),
        s => s,
    }
}

/// Type names already taken, and the collision rule for new ones: a name that is taken gets
/// the smallest suffix 2, 3, ... that is free. Names are claimed in a fixed order (APIs by
/// name, methods by name, then each answer's fields depth first, parents before children,
/// fields by name), so the same input always gives the same names. A name pinned for a key
/// (`API method path`, [`super::pins`]) is that key's whatever comes before it, unless a
/// hand-written type or a handle has taken it since; every pinned name stays reserved.
#[derive(Debug, Default)]
pub struct TypeNames {
    /// Hand-written types and handles: a pin naming one of them is void.
    reserved: BTreeSet<String>,
    /// Every name no new type may take: `reserved`, every pinned name, every name given.
    taken: BTreeSet<String>,
    /// The pins read, by key.
    pinned: BTreeMap<String, String>,
    /// The names given by this import, by key.
    pub given: BTreeMap<String, String>,
}

impl TypeNames {
    /// Names nobody may take: the hand-written files' types and the families' handles; and
    /// the pinned names, each for its key only.
    pub fn new(
        reserved: impl IntoIterator<Item = String>,
        pinned: &BTreeMap<String, String>,
    ) -> Self {
        let reserved: BTreeSet<String> = reserved.into_iter().collect();
        let taken = reserved.iter().chain(pinned.values()).cloned().collect();
        TypeNames {
            reserved,
            taken,
            pinned: pinned.clone(),
            given: BTreeMap::new(),
        }
    }

    /// The name of the type at `key`: its pin, or a free name for `base`, now taken.
    pub fn claim(&mut self, key: &str, base: &str) -> String {
        let name = match self.pinned.get(key) {
            Some(pin) if !self.reserved.contains(pin) => pin.clone(),
            _ if self.taken.contains(base) => (2..)
                .map(|n| format!("{base}{n}"))
                .find(|n| !self.taken.contains(n))
                .expect("an unbounded range has a free name"),
            _ => base.to_owned(),
        };
        self.taken.insert(name.clone());
        self.given.insert(key.to_owned(), name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_exact_or_suffixes() {
        for s in [
            "passwd",
            "Password",
            "passphrase",
            "otp_code",
            "device_id",
            "did",
            "token",
            "secret",
            "key",
            "sid",
            "synotoken",
            "admin_passwd",
            "api_token",
            "client_secret",
            "new_password",
        ] {
            assert!(is_secret(s), "{s} is secret");
        }
        for s in [
            "sort_key",
            "keyword",
            "account",
            "id",
            "tokens_count",
            "didnt",
            "device",
            "passwd_rule",
            "session",
            "enable_syno_token",
            "is_password_set",
        ] {
            assert!(!is_secret(s), "{s} is not secret");
        }
    }

    #[test]
    fn names_derive_as_documented() {
        assert_eq!(method_base("SYNO.Core.System", "info"), "CoreSystemInfo");
        assert_eq!(
            method_base("SYNO.CloudSync", "list_conn"),
            "CloudSyncListConn"
        );
        assert_eq!(singular("volumes"), "Volume");
        assert_eq!(singular("entries"), "Entry");
        assert_eq!(singular("boxes"), "Box");
        assert_eq!(singular("status"), "StatusItem");
        assert_eq!(singular("data"), "DataItem");
        assert_eq!(family_file("SynologyDrive"), "synology_drive.yaml");
        assert_eq!(family_file("DownloadStation2"), "download_station2.yaml");
        let pinned = BTreeMap::from([
            ("k pinned".to_owned(), "Old".to_owned()),
            ("k void".to_owned(), "Taken".to_owned()),
        ]);
        let mut names = TypeNames::new(["Taken".to_owned()], &pinned);
        assert_eq!(names.claim("a", "Taken"), "Taken2");
        assert_eq!(names.claim("b", "Taken"), "Taken3");
        assert_eq!(names.claim("c", "Free"), "Free");
        assert_eq!(names.claim("d", "Free"), "Free2");
        // A pin wins over the base; a pinned name is nobody else's; a pin on a name taken by
        // hand since is void.
        assert_eq!(names.claim("k pinned", "New"), "Old");
        assert_eq!(names.claim("e", "Old"), "Old2");
        assert_eq!(names.claim("k void", "Fresh"), "Fresh");
        assert_eq!(names.given["k void"], "Fresh");
    }
}
