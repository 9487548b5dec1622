//! The importer's inputs, checked as they are read: DSM's declarations (`apis.json`), the
//! recorded parameters (`required_params.json`), the recorded answers' schemas
//! (`response-schemas/<API>-<method>.json`), and what the hand-written spec files declare.
//! A malformed input is an error naming the file and the JSON path (or line) at fault.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

/// One API as DSM's `.lib` files declare it.
#[derive(Debug, Clone)]
pub struct DeclApi {
    /// The `.lib` file's name (no folders), when DSM gives one.
    pub lib: Option<String>,
    /// Lowest version.
    pub min: u32,
    /// Highest version.
    pub max: u32,
    /// The CGI path.
    pub path: String,
    /// `requestFormat: JSON`.
    pub json: bool,
    /// Every method and the versions whose list has it.
    pub methods: BTreeMap<String, BTreeSet<u32>>,
}

/// Something recorded per method, by (API, method).
pub type PerMethod<T> = BTreeMap<(String, String), T>;

/// Everything read from the fixtures directory.
#[derive(Debug, Default)]
pub struct Inputs {
    /// APIs by name.
    pub apis: BTreeMap<String, DeclApi>,
    /// Recorded parameters by (API, method): name and example value, sorted by name.
    pub params: PerMethod<Vec<(String, Value)>>,
    /// Recorded answers' schemas by (API, method).
    pub schemas: PerMethod<Value>,
    /// Files of `response-schemas/` not named `<API>-<method>.json`, ignored.
    pub ignored: Vec<String>,
}

/// One hand-written API: its versions, request format and method names.
#[derive(Debug, Clone)]
pub struct HandApi {
    /// Lowest version.
    pub min: u32,
    /// Highest version.
    pub max: u32,
    /// `request_format: json`.
    pub json: bool,
    /// Method wire names.
    pub methods: BTreeSet<String>,
}

/// What the hand-written spec files declare.
#[derive(Debug, Default)]
pub struct HandWritten {
    /// Every type name.
    pub types: BTreeSet<String>,
    /// Every API by name.
    pub apis: BTreeMap<String, HandApi>,
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))
}

/// A JSON path step: `["SYNO.Core"]`.
fn step(key: &str) -> String {
    format!("[{}]", Value::String(key.to_owned()))
}

fn object<'v>(file: &Path, at: &str, v: &'v Value) -> Result<&'v serde_json::Map<String, Value>> {
    v.as_object().with_context(|| {
        format!(
            "{}: ${at}: expected an object, found {}",
            file.display(),
            kind(v)
        )
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads every input of `dir`.
pub fn read(dir: &Path) -> Result<Inputs> {
    let (schemas, ignored) = read_schemas(&dir.join("response-schemas"))?;
    Ok(Inputs {
        apis: read_apis(&dir.join("apis.json"))?,
        params: read_params(&dir.join("required_params.json"))?,
        schemas,
        ignored,
    })
}

fn read_apis(file: &Path) -> Result<BTreeMap<String, DeclApi>> {
    let root = read_json(file)?;
    let mut out = BTreeMap::new();
    for (family, apis) in object(file, "", &root)? {
        let at = step(family);
        for (name, api) in object(file, &at, apis)? {
            let at = format!("{at}{}", step(name));
            let decl = read_api(file, &at, api)?;
            if out.insert(name.clone(), decl).is_some() {
                bail!("{}: ${at}: api `{name}` is declared twice", file.display());
            }
        }
    }
    Ok(out)
}

fn read_api(file: &Path, at: &str, api: &Value) -> Result<DeclApi> {
    let fields = object(file, at, api)?;
    let version = |key: &str| -> Result<u32> {
        let v = fields.get(key).unwrap_or(&Value::Null);
        v.as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|&n| n >= 1)
            .with_context(|| {
                format!(
                    "{}: ${at}.{key}: expected a version (an integer from 1), found {}",
                    file.display(),
                    kind(v)
                )
            })
    };
    let text = |key: &str| -> Result<Option<String>> {
        match fields.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => bail!(
                "{}: ${at}.{key}: expected a string, found {}",
                file.display(),
                kind(v)
            ),
        }
    };
    let (min, max) = (version("minVersion")?, version("maxVersion")?);
    if min > max {
        bail!(
            "{}: ${at}: minVersion {min} is above maxVersion {max}",
            file.display()
        );
    }
    let path = text("path")?.with_context(|| format!("{}: ${at}.path: missing", file.display()))?;
    let lib = text("lib")?
        .and_then(|l| l.rsplit('/').next().map(str::to_owned))
        .filter(|l| !l.is_empty());
    let json = text("requestFormat")?.is_some_and(|f| f.eq_ignore_ascii_case("json"));
    let mut methods: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    match fields.get("methods") {
        // `SYNO.Default.API` has an empty list: no methods.
        Some(Value::Array(a)) if a.is_empty() => {}
        Some(Value::Object(by_version)) => {
            for (v, names) in by_version {
                let vat = format!("{at}.methods{}", step(v));
                let version: u32 = v.parse().ok().filter(|&n| n >= 1).with_context(|| {
                    format!("{}: ${vat}: `{v}` is not a version", file.display())
                })?;
                // A list, or (PHP's sparse arrays) an object whose values are the names.
                let names: Vec<&Value> = match names {
                    Value::Array(a) => a.iter().collect(),
                    Value::Object(o) => o.values().collect(),
                    other => bail!(
                        "{}: ${vat}: expected a list of method names, found {}",
                        file.display(),
                        kind(other)
                    ),
                };
                for n in names {
                    let n = n.as_str().with_context(|| {
                        format!(
                            "{}: ${vat}: expected method names, found {}",
                            file.display(),
                            kind(n)
                        )
                    })?;
                    methods.entry(n.to_owned()).or_default().insert(version);
                }
            }
        }
        Some(other) => bail!(
            "{}: ${at}.methods: expected an object of versions, found {}",
            file.display(),
            kind(other)
        ),
        None => bail!("{}: ${at}.methods: missing", file.display()),
    }
    Ok(DeclApi {
        lib,
        min,
        max,
        path,
        json,
        methods,
    })
}

fn read_params(file: &Path) -> Result<PerMethod<Vec<(String, Value)>>> {
    let root = read_json(file)?;
    let mut out = BTreeMap::new();
    for (api, methods) in object(file, "", &root)? {
        let at = step(api);
        for (method, params) in object(file, &at, methods)? {
            let at = format!("{at}{}", step(method));
            let mut list: Vec<(String, Value)> = object(file, &at, params)?
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            list.sort_by(|a, b| a.0.cmp(&b.0));
            out.insert((api.clone(), method.clone()), list);
        }
    }
    Ok(out)
}

/// The schemas by (API, method), and the names of the files that are not `<API>-<method>.json`.
fn read_schemas(dir: &Path) -> Result<(PerMethod<Value>, Vec<String>)> {
    let mut out = BTreeMap::new();
    let mut ignored = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("reading {}", dir.display()))?
            .path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let Some((api, method)) = name
            .strip_suffix(".json")
            .and_then(|stem| stem.split_once('-'))
            .filter(|(api, _)| api.starts_with("SYNO."))
        else {
            ignored.push(name.into_owned());
            continue;
        };
        let schema = read_json(&path)?;
        object(&path, "", &schema)?;
        out.insert((api.to_owned(), method.to_owned()), schema);
    }
    ignored.sort();
    Ok((out, ignored))
}

#[derive(Deserialize)]
struct LightFile {
    #[serde(default)]
    types: BTreeMap<String, IgnoredAny>,
    #[serde(default)]
    apis: BTreeMap<String, LightApi>,
}

#[derive(Deserialize)]
struct LightApi {
    versions: Option<LightVersions>,
    #[serde(default)]
    request_format: Option<String>,
    #[serde(default)]
    methods: BTreeMap<String, IgnoredAny>,
}

#[derive(Deserialize)]
struct LightVersions {
    min: u32,
    max: u32,
}

/// Reads the hand-written spec files: every `*.yaml` directly in `spec_dir` (not below it),
/// only their type names, API names, versions, request formats and method names.
pub fn hand_written(spec_dir: &Path) -> Result<HandWritten> {
    let mut out = HandWritten::default();
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(spec_dir).with_context(|| format!("reading {}", spec_dir.display()))?
    {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|x| x == "yaml") {
            files.push(path);
        }
    }
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let file: LightFile = serde_saphyr::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        out.types.extend(file.types.into_keys());
        for (name, api) in file.apis {
            let Some(v) = api.versions else {
                bail!("{}: api `{name}` has no `versions`", path.display());
            };
            let entry = out.apis.entry(name).or_insert(HandApi {
                min: v.min,
                max: v.max,
                json: api.request_format.as_deref() == Some("json"),
                methods: BTreeSet::new(),
            });
            entry.methods.extend(api.methods.into_keys());
        }
    }
    Ok(out)
}
