//! From the inputs to what each family's file says: which APIs and methods are written
//! (hand-written ones win), their versions, parameters and response types, and everything
//! left out, with the reason.

use std::collections::{BTreeMap, BTreeSet};

use codegen::naming;
use serde_json::Value;

use super::input::{DeclApi, HandWritten, Inputs};
use super::names::{TypeNames, is_secret, method_base};
use super::pins::Pins;
use super::schema::{Inference, Int, Struct, Ty};

/// One family's file.
#[derive(Debug, Default)]
pub struct Family {
    /// Named types, sorted by name.
    pub types: Vec<Struct>,
    /// APIs, sorted by name.
    pub apis: Vec<ApiOut>,
}

/// One API block.
#[derive(Debug)]
pub struct ApiOut {
    /// DSM's name.
    pub name: String,
    /// `None` for an API declared by hand: the block then holds only `methods`.
    pub header: Option<ApiHeader>,
    /// Methods, sorted by wire name.
    pub methods: Vec<MethodOut>,
}

/// What an imported API says besides its methods.
#[derive(Debug)]
pub struct ApiHeader {
    /// `Imported from DSM's declarations (...)`.
    pub description: String,
    /// CGI path.
    pub path: String,
    /// Lowest version.
    pub min: u32,
    /// Highest version.
    pub max: u32,
    /// `request_format: json`.
    pub json: bool,
}

/// A method's versions, as the spec writes them.
#[derive(Debug, PartialEq, Eq)]
pub enum Versions {
    /// Every version of the API: nothing written.
    All,
    /// `min_version: N`: every version from N to the API's highest.
    From(u32),
    /// `versions: [..]`: exactly these.
    Set(Vec<u32>),
}

/// One method.
#[derive(Debug)]
pub struct MethodOut {
    /// Wire name.
    pub wire: String,
    /// Its function, written as `rust_name` when pinned (a name that clashes with another's).
    pub rust_name: Option<String>,
    /// Its versions.
    pub versions: Versions,
    /// Recorded parameters, sorted by name.
    pub params: Vec<ParamOut>,
    /// The response type, when a recorded answer gives one.
    pub response: Option<Ty>,
}

/// One recorded parameter.
#[derive(Debug)]
pub struct ParamOut {
    /// Wire name.
    pub wire: String,
    /// Type inferred from the recorded value.
    pub ty: Ty,
    /// The recorded value, for scalar types.
    pub example: Option<Value>,
    /// Masked in logs.
    pub secret: bool,
    /// `encoding: json` (a `json` parameter of an API whose values are plain text).
    pub json_encoding: bool,
}

/// The whole import.
#[derive(Debug, Default)]
pub struct Import {
    /// Families by DSM name (`Core`).
    pub families: BTreeMap<String, Family>,
    /// Everything left out, one line each (APIs of the internal family excepted).
    pub skipped: Vec<String>,
    /// The names pinned after this import: those read, and those given for the first time.
    pub pins: Pins,
}

/// The description of every imported method.
pub const METHOD_DESCRIPTION: &str = "Imported: declared by DSM, not documented.";
/// The description of every recorded parameter.
pub const PARAM_DESCRIPTION: &str = "Imported: DSM needed it in a recorded call.";

/// A value DSM's recorded parameters use for "needed, no example": no type can be told.
const PLACEHOLDER: &str = "required";

/// Whether `name` is an API name the spec accepts: `SYNO.<Family>[.<Name>...]`, identifier
/// parts.
fn api_parts(name: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = name.split('.').collect();
    (parts.len() >= 2 && parts[0] == "SYNO" && parts[1..].iter().all(|p| naming::is_ident(p)))
        .then_some(parts)
}

/// The accessor (`family().accessor()`) of a sub-API, `None` for a family-level one.
fn accessor(parts: &[&str]) -> Option<String> {
    (parts.len() > 2).then(|| naming::api_accessor(&parts[2..]))
}

/// The versions of a method offered in `set`, within the API's `min..=max`.
pub fn versions(set: &BTreeSet<u32>, min: u32, max: u32) -> Option<Versions> {
    let s: Vec<u32> = set.range(min..=max).copied().collect();
    let lo = *s.first()?;
    Some(if s.len() == (max - lo + 1) as usize {
        if lo == min {
            Versions::All
        } else {
            Versions::From(lo)
        }
    } else {
        Versions::Set(s)
    })
}

/// Builds the import of `inputs`, with the hand-written declarations `hand` winning and the
/// names in `pins` kept. A family module the naming rule no longer gives its pinned name is an
/// error.
pub fn build(inputs: &Inputs, hand: &HandWritten, pins: &Pins) -> anyhow::Result<Import> {
    let mut out = Import::default();
    // The names a type may not take: hand-written types and every family's handle.
    let handles = inputs
        .apis
        .keys()
        .chain(hand.apis.keys())
        .filter_map(|n| n.split('.').nth(1))
        .map(naming::family_handle);
    let mut names = TypeNames::new(hand.types.iter().cloned().chain(handles), &pins.types);
    // Every accessor of each family, hand-written or declared: a family-level method may not
    // take one's name.
    let mut accessors: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for name in inputs.apis.keys().chain(hand.apis.keys()) {
        if let Some(parts) = api_parts(name)
            && let Some(acc) = accessor(&parts)
        {
            accessors.entry(parts[1]).or_default().insert(acc);
        }
    }
    for (name, decl) in &inputs.apis {
        let Some(parts) = api_parts(name) else {
            out.skipped.push(format!(
                "{name}: not an api name of the form SYNO.<Family>[.<Name>...]"
            ));
            continue;
        };
        if parts[1] == "API" {
            continue;
        }
        if let Some(acc) =
            accessor(&parts).filter(|a| naming::RESERVED_API_MODULES.contains(&a.as_str()))
        {
            out.skipped.push(format!(
                "{name}: its module would be `{acc}`, which generated code uses"
            ));
            continue;
        }
        let family_accessors = accessors.get(parts[1]).cloned().unwrap_or_default();
        let api = match hand.apis.get(name) {
            Some(h) => {
                let hand_rust: BTreeMap<String, &String> = h
                    .methods
                    .iter()
                    .map(|m| (naming::rust_ident(m), m))
                    .collect();
                let wanted = decl.methods.iter().filter(|(m, _)| !h.methods.contains(*m));
                let methods = select(
                    &mut out.skipped,
                    name,
                    wanted,
                    (h.min, h.max),
                    &hand_rust,
                    (parts.len() == 2).then_some(&family_accessors),
                    pins,
                );
                ApiPlan {
                    header: None,
                    json: h.json,
                    methods,
                }
            }
            None => {
                if !naming::is_cgi_path(&decl.path) {
                    out.skipped.push(format!(
                        "{name}: path `{}` is not a plain CGI path, which the client refuses",
                        decl.path
                    ));
                    continue;
                }
                let methods = select(
                    &mut out.skipped,
                    name,
                    decl.methods.iter(),
                    (decl.min, decl.max),
                    &BTreeMap::new(),
                    (parts.len() == 2).then_some(&family_accessors),
                    pins,
                );
                ApiPlan {
                    header: Some(header(decl)),
                    json: decl.json,
                    methods,
                }
            }
        };
        if api.methods.is_empty() {
            if api.header.is_some() {
                out.skipped.push(format!("{name}: no method left to write"));
            }
            continue;
        }
        let family = out.families.entry(parts[1].to_owned()).or_default();
        let mut methods = Vec::new();
        for (wire, versions, rust_name) in api.methods {
            if let Some(rust) = &rust_name {
                out.pins
                    .methods
                    .insert((name.clone(), wire.clone()), rust.clone());
            }
            let key = (name.clone(), wire.clone());
            let params = params(
                &mut out.skipped,
                name,
                &wire,
                inputs.params.get(&key).map_or(&[][..], Vec::as_slice),
                api.json,
            );
            let response = inputs.schemas.get(&key).and_then(|schema| {
                let mut inference = Inference::new(&mut names, format!("{name} {wire}"));
                let ty = inference.root(schema, &method_base(name, &wire));
                family.types.extend(inference.structs);
                ty
            });
            methods.push(MethodOut {
                rust_name,
                wire,
                versions,
                params,
                response,
            });
        }
        family.apis.push(ApiOut {
            name: name.clone(),
            header: api.header,
            methods,
        });
    }
    for file in &inputs.ignored {
        out.skipped.push(format!(
            "response-schemas/{file}: not named <API>-<method>.json"
        ));
    }
    for family in out.families.values_mut() {
        family.types.sort_by(|a, b| a.name.cmp(&b.name));
    }
    out.skipped.sort();
    // Type pins: every one read (a name stays reserved when its answer is gone), with the
    // names given now.
    out.pins.types = pins.types.clone();
    out.pins.types.extend(std::mem::take(&mut names.given));
    let by_hand: BTreeSet<&str> = hand
        .apis
        .keys()
        .filter_map(|n| n.split('.').nth(1))
        .collect();
    for family in out
        .families
        .keys()
        .filter(|f| !by_hand.contains(f.as_str()))
    {
        let module = naming::imported_family_module(family);
        if let Some(pinned) = pins.families.get(family)
            && *pinned != module
        {
            anyhow::bail!(
                "family `{family}` is pinned as module `{pinned}`, but the naming rule now gives `{module}`; \
                 renaming a family breaks its users: change the rule back, or the pin by hand on purpose"
            );
        }
        out.pins.families.insert(family.clone(), module);
    }
    Ok(out)
}

struct ApiPlan {
    header: Option<ApiHeader>,
    json: bool,
    methods: Vec<(String, Versions, Option<String>)>,
}

fn header(decl: &DeclApi) -> ApiHeader {
    ApiHeader {
        description: match &decl.lib {
            Some(lib) => format!("Imported from DSM's declarations (`{lib}`)."),
            None => "Imported from DSM's declarations.".to_owned(),
        },
        path: decl.path.clone(),
        min: decl.min,
        max: decl.max,
        json: decl.json,
    }
}

/// The methods of one API that can be written, with their versions within `min..=max` and,
/// for those whose names clash, their functions: a method DSM declares only outside that
/// range is left out, and so is one whose function would be a hand-written method's
/// (`naming::rust_ident`) or, for a family-level API, an accessor of its family. Methods
/// that become one Rust name (`GetInfo`, `getInfo`) are all kept: a pinned one keeps its pin,
/// the rest are named by codegen's rule (`naming::unique_method`: the wire name that already
/// is snake_case first, then byte order; `get_info`, `get_info_2`), and every one of them is
/// pinned.
fn select<'a>(
    skipped: &mut Vec<String>,
    api: &str,
    wanted: impl Iterator<Item = (&'a String, &'a BTreeSet<u32>)>,
    (min, max): (u32, u32),
    hand_rust: &BTreeMap<String, &String>,
    family_accessors: Option<&BTreeSet<String>>,
    pins: &Pins,
) -> Vec<(String, Versions, Option<String>)> {
    let mut kept: Vec<(&String, Versions)> = Vec::new();
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    for (wire, set) in wanted {
        if !naming::is_ident(wire) {
            skipped.push(format!(
                "{api} {wire}: the method name is not an identifier"
            ));
            continue;
        }
        let rust = naming::rust_ident(wire);
        if let Some(other) = hand_rust.get(&rust) {
            skipped.push(format!(
                "{api} {wire}: becomes `{rust}()` like the hand-written `{other}`"
            ));
            continue;
        }
        if family_accessors.is_some_and(|a| a.contains(&rust)) {
            skipped.push(format!(
                "{api} {wire}: a family-level method named like an api accessor"
            ));
            continue;
        }
        match versions(set, min, max) {
            Some(v) => {
                *groups.entry(rust).or_default() += 1;
                kept.push((wire, v));
            }
            None => skipped.push(format!(
                "{api} {wire}: declared only in versions {set:?}, outside {min}..{max}"
            )),
        }
    }
    // Names: pins first, then codegen's order.
    let pin = |wire: &str| pins.methods.get(&(api.to_owned(), wire.to_owned()));
    let mut taken: BTreeSet<String> = hand_rust.keys().cloned().collect();
    taken.extend(family_accessors.into_iter().flatten().cloned());
    let mut order: Vec<usize> = (0..kept.len()).collect();
    order.sort_by_key(|&i| {
        let wire = kept[i].0;
        (
            pin(wire).is_none(),
            naming::rust_ident(wire) != *wire,
            wire.clone(),
        )
    });
    let mut rust_names: Vec<Option<String>> = vec![None; kept.len()];
    for i in order {
        let wire = kept[i].0;
        let rust = match pin(wire) {
            Some(p) if !taken.contains(p) => p.clone(),
            _ => naming::unique_method(wire, &|n: &str| taken.contains(n)),
        };
        let clashes = groups[&naming::rust_ident(wire)] > 1;
        if clashes || pin(wire).is_some() || rust != naming::rust_ident(wire) {
            rust_names[i] = Some(rust.clone());
        }
        taken.insert(rust);
    }
    let mut out: Vec<(String, Versions, Option<String>)> = kept
        .into_iter()
        .zip(rust_names)
        .map(|((wire, v), rust)| (wire.clone(), v, rust))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The recorded parameters of one method that a spec may declare.
fn params(
    skipped: &mut Vec<String>,
    api: &str,
    method: &str,
    recorded: &[(String, Value)],
    json_api: bool,
) -> Vec<ParamOut> {
    let mut out = Vec::new();
    let mut rust_names = BTreeSet::new();
    for (wire, value) in recorded {
        if naming::RUNTIME_PARAMS.contains(&wire.as_str()) {
            continue;
        }
        let rust = naming::rust_ident(wire);
        if !naming::is_ident(&rust)
            || rust == naming::CLI_HELP
            || naming::BUILDER_METHODS.contains(&rust.as_str())
            || !rust_names.insert(rust.clone())
        {
            skipped.push(format!(
                "{api} {method} parameter {wire}: its Rust name `{rust}` is not free"
            ));
            continue;
        }
        let (ty, example) = match value {
            Value::String(s) if s == PLACEHOLDER => (Ty::Json, None),
            Value::String(_) => (Ty::String, Some(value.clone())),
            Value::Number(n) if n.is_i64() => (Ty::Int(Int::I64), Some(value.clone())),
            Value::Number(n) if n.is_f64() => (Ty::F64, Some(value.clone())),
            Value::Bool(_) => (Ty::Bool, Some(value.clone())),
            _ => (Ty::Json, None),
        };
        let secret = is_secret(wire);
        out.push(ParamOut {
            wire: wire.clone(),
            json_encoding: ty == Ty::Json && !json_api,
            ty,
            example: example.filter(|_| !secret),
            secret,
        });
    }
    out
}
