//! Naming rules of the importer: family files, type names (unique across every spec file,
//! by a fixed collision rule), list items' singular names, and which parameter and field
//! names hold secrets.

use std::collections::BTreeSet;

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
/// fields by name), so the same input always gives the same names.
#[derive(Debug, Default)]
pub struct TypeNames {
    taken: BTreeSet<String>,
}

impl TypeNames {
    /// Names nobody may take: the hand-written files' types and the families' handles.
    pub fn new(reserved: impl IntoIterator<Item = String>) -> Self {
        TypeNames {
            taken: reserved.into_iter().collect(),
        }
    }

    /// A free name for `base`, now taken.
    pub fn claim(&mut self, base: &str) -> String {
        let name = if self.taken.contains(base) {
            (2..)
                .map(|n| format!("{base}{n}"))
                .find(|n| !self.taken.contains(n))
                .expect("an unbounded range has a free name")
        } else {
            base.to_owned()
        };
        self.taken.insert(name.clone());
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
        let mut names = TypeNames::new(["Taken".to_owned()]);
        assert_eq!(names.claim("Taken"), "Taken2");
        assert_eq!(names.claim("Taken"), "Taken3");
        assert_eq!(names.claim("Free"), "Free");
        assert_eq!(names.claim("Free"), "Free2");
    }
}
