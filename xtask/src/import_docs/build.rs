//! A parsed [`Page`] as a spec file's content: APIs, methods, parameters with their types,
//! defaults and examples, response types from the example and the field tables, pagination.
//! Type names come from the API and method names; [`Names`] keeps them unique across every
//! page of one import.

use std::collections::BTreeSet;

use heck::ToUpperCamelCase;

use super::infer::{self, Facts, Namer, Shape, Struct, Ty};
use super::lend;
use super::params;
use super::parse::{ApiDoc, FieldDoc, Json, MethodDoc, Page, ParamDoc, Refusal, refuse, short};

/// The type names taken so far in one import, and the names no type may take.
#[derive(Debug, Default)]
pub struct Names {
    /// Taken.
    pub used: BTreeSet<String>,
    /// The family of the page being built (`CloudSync`), the first prefix tried on a clash.
    pub family: String,
}

impl Namer for Names {
    fn claim(&mut self, base: &str) -> String {
        let base = if base.is_empty() { "Data" } else { base };
        let mut candidates = vec![base.to_owned()];
        if !base.starts_with(&self.family) {
            candidates.push(format!("{}{base}", self.family));
        }
        let first = candidates.iter().find(|c| !self.used.contains(*c)).cloned();
        let name = first.unwrap_or_else(|| {
            let last = candidates.last().cloned().unwrap_or_default();
            (2..)
                .map(|n| format!("{last}{n}"))
                .find(|c| !self.used.contains(c))
                .unwrap_or(last)
        });
        self.used.insert(name.clone());
        name
    }
}

/// A spec file's content.
#[derive(Debug)]
pub struct SpecOut {
    /// `source:`
    pub source: String,
    /// Named types, in order of first use.
    pub types: Vec<Struct>,
    /// APIs in page order.
    pub apis: Vec<ApiOut>,
    /// What was left out: line and what it is (an empty method section, a section of
    /// request examples), in line order.
    pub left_out: Vec<(usize, &'static str)>,
}

/// One API.
#[derive(Debug)]
pub struct ApiOut {
    /// `SYNO.X.Y`
    pub name: String,
    /// Doc text.
    pub description: String,
    /// CGI path.
    pub path: String,
    /// Lowest and highest documented version.
    pub versions: (u32, u32),
    /// Methods.
    pub methods: Vec<MethodOut>,
}

/// One method.
#[derive(Debug)]
pub struct MethodOut {
    /// Wire name.
    pub name: String,
    /// `GET` or `POST`.
    pub http: &'static str,
    /// Doc text.
    pub description: String,
    /// Above the API's lowest version.
    pub min_version: Option<u32>,
    /// The page lists `_sid`.
    pub session: bool,
    /// Parameters.
    pub params: Vec<ParamOut>,
    /// Response type.
    pub response: Option<Ty>,
    /// `(offset, limit, items, total)`
    pub pagination: Option<(String, String, String, Option<String>)>,
    /// Notes.
    pub notes: Vec<String>,
    /// The example as written.
    pub example: Option<String>,
}

/// One parameter.
#[derive(Debug)]
pub struct ParamOut {
    /// Wire name.
    pub name: String,
    /// Type.
    pub ty: Ty,
    /// Positional.
    pub required: bool,
    /// DSM's default, a YAML scalar.
    pub default: Option<String>,
    /// An example, a YAML scalar.
    pub example: Option<String>,
    /// Masked in logs.
    pub secret: bool,
    /// A value always sent (`const:`); the type, `required`, default and example are then
    /// not written.
    pub constant: Option<String>,
    /// Doc text.
    pub description: String,
}

/// The parameters the runtime sends itself.
const RUNTIME: [&str; 4] = ["api", "version", "method", "_sid"];

/// The description of a field no table describes.
pub const UNDESCRIBED: &str = "Not described by the documentation (seen in the example).";

/// Builds the file content of `page`, naming types through `names`.
pub fn build(page: &Page, names: &mut Names) -> Result<SpecOut, Refusal> {
    let Some(path) = &page.path else {
        return refuse(1, "no `**Endpoint:**` line before the first API");
    };
    if page.apis.is_empty() {
        return refuse(1, "no `## SYNO.*` API section");
    }
    let tables = lend::rows(page);
    let mut apis = Vec::new();
    let mut types = Vec::new();
    let mut left_out: Vec<(usize, &'static str)> = page
        .examples
        .iter()
        .map(|l| {
            (
                *l,
                "a section of request examples, which the spec has no place for",
            )
        })
        .collect();
    for (i, a) in page.apis.iter().enumerate() {
        if page.apis[..i].iter().any(|b| b.name == a.name) {
            return refuse(a.line, format!("API `{}` has a second section", a.name));
        }
        left_out.extend(
            a.methods
                .iter()
                .filter_map(|m| Some((m.line, left_out_because(m)?))),
        );
        left_out.extend(
            a.methods
                .iter()
                .filter(|m| left_out_because(m).is_none())
                .flat_map(|m| m.params.iter().filter(|p| uploads(&p.text)))
                .map(|p| (p.line, FILE_PARAM)),
        );
        left_out.extend(
            a.methods
                .iter()
                .filter(|m| left_out_because(m).is_none())
                .filter_map(|m| m.response.as_ref())
                .filter(|r| infer::has_unnamed_field(&r.value))
                .map(|r| (r.line, UNNAMED_FIELD)),
        );
        let with_content = a.methods.iter().any(|m| left_out_because(m).is_none());
        // An API whose every method is left out is left out with them, unless it is all the
        // page has: then the page is refused.
        if with_content || (i + 1 == page.apis.len() && apis.is_empty()) {
            apis.push(build_api(page, a, path, &tables, names, &mut types)?);
        }
    }
    let source = match &page.category {
        Some(c) => format!("{} ({c})", page.title),
        None => page.title.clone(),
    };
    left_out.sort();
    Ok(SpecOut {
        source,
        types,
        apis,
        left_out,
    })
}

/// What the report says of an example's key that makes no field name beside keys that do.
const UNNAMED_FIELD: &str = "a response field whose name is no identifier (a digit first, say)";

/// What the report says of an optional parameter that is a file to upload, left out.
const FILE_PARAM: &str = "a file parameter (multipart/form-data), which the spec cannot send";

/// Whether a parameter description or an HTTP method line says the value is a file sent as
/// `multipart/form-data`, which the spec's requests (form or JSON text) cannot carry.
pub fn uploads(text: &str) -> bool {
    text.to_ascii_lowercase().contains("multipart/form-data")
}

/// Why a method section is left out of the spec, if it is: nothing under its heading (so
/// nothing to import but its name, rather than a guessed verb), an answer that is not JSON,
/// or a file upload (a multipart request, or a required file parameter).
fn left_out_because(m: &MethodDoc) -> Option<&'static str> {
    let required_file = m.params.iter().any(|p| p.required && uploads(&p.text));
    if is_empty(m) {
        Some("an empty method section (a heading and nothing else)")
    } else if m.not_json.is_some() {
        Some("a method whose answer is not JSON (a file, an image, prose)")
    } else if required_file || m.http.as_ref().is_some_and(|(h, _)| uploads(h)) {
        Some("a method that uploads a file (multipart/form-data), which the spec cannot send")
    } else {
        None
    }
}

/// A method section with nothing under its heading.
fn is_empty(m: &MethodDoc) -> bool {
    m.http.is_none()
        && m.params.is_empty()
        && m.response.is_none()
        && m.fields.is_empty()
        && m.notes.is_empty()
        && m.vocabularies.is_empty()
        && m.description.is_none()
}

/// One API.
fn build_api(
    page: &Page,
    a: &ApiDoc,
    path: &str,
    tables: &[lend::Row],
    names: &mut Names,
    types: &mut Vec<Struct>,
) -> Result<ApiOut, Refusal> {
    let with_content: Vec<&MethodDoc> = a
        .methods
        .iter()
        .filter(|m| left_out_because(m).is_none())
        .collect();
    if with_content.is_empty() {
        return refuse(
            a.line,
            format!("API `{}` documents no method the spec can describe", a.name),
        );
    }
    let parts: Vec<&str> = a.name.split('.').skip(1).collect();
    names.family = parts
        .first()
        .map(|f| f.to_upper_camel_case())
        .unwrap_or_default();
    let stem: String = if parts.len() > 1 {
        &parts[1..]
    } else {
        &parts[..]
    }
    .iter()
    .map(|p| p.to_upper_camel_case())
    .collect();
    let mut versions = Vec::new();
    for m in &with_content {
        versions.push(version(a, m)?);
    }
    let min = versions.iter().copied().min().unwrap_or(1);
    let max = versions.iter().copied().max().unwrap_or(1);
    let mut methods = Vec::new();
    for (m, v) in with_content.iter().zip(&versions) {
        let mut out = build_method(page, a, m, &stem, tables, names, types)?;
        out.min_version = (*v > min).then_some(*v);
        methods.push(out);
    }
    let description = match &page.category {
        Some(c) => format!("{}, from the page \"{}\" ({c}).", a.name, page.title),
        None => format!("{}, from the page \"{}\".", a.name, page.title),
    };
    Ok(ApiOut {
        name: a.name.clone(),
        description,
        path: path.to_owned(),
        versions: (min, max),
        methods,
    })
}

/// The value of a runtime parameter (`` `1` `` → `1`).
fn runtime_value(p: &ParamDoc) -> Option<&str> {
    let t = p.text.trim();
    t.strip_prefix('`')?.strip_suffix('`')
}

/// The method's documented version, after checking its `api` and `method` parameters.
fn version(a: &ApiDoc, m: &MethodDoc) -> Result<u32, Refusal> {
    let mut version = None;
    for p in &m.params {
        match p.name.as_str() {
            "api" if runtime_value(p) != Some(a.name.as_str()) => {
                return refuse(
                    p.line,
                    format!("`api` is not `{}`, the section's API", a.name),
                );
            }
            "method" if runtime_value(p) != Some(m.name.as_str()) => {
                return refuse(
                    p.line,
                    format!("`method` is not `{}`, the section's method", short(&m.name)),
                );
            }
            "version" => match runtime_value(p)
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|v| *v >= 1)
            {
                Some(v) => version = Some(v),
                None => return refuse(p.line, "`version` is not one version number"),
            },
            _ => {}
        }
    }
    match version {
        Some(v) => Ok(v),
        None => refuse(
            m.line,
            format!("method `{}` lists no `version` parameter", short(&m.name)),
        ),
    }
}

/// The facts of one method's field table, with every table of the page for descriptions.
struct TableFacts<'a> {
    /// The method's API.
    api: &'a str,
    /// This method's table.
    own: &'a [FieldDoc],
    /// Every table of the page.
    page: &'a [lend::Row<'a>],
}

impl Facts for TableFacts<'_> {
    fn field(
        &self,
        wire: &str,
        parent: &str,
        shape: &Shape,
    ) -> Result<(Option<Ty>, String), String> {
        if let Some(f) = self.own.iter().find(|f| f.name == wire) {
            let unix = f.description.to_ascii_lowercase().contains("unix time");
            let ty = infer::table_type(&f.ty, shape, unix)
                .map_err(|e| format!("line {}: field `{}`: {e}", f.line, short(wire)))?;
            return Ok((ty, f.description.clone()));
        }
        let lent = self
            .page
            .iter()
            .find(|r| r.field.name == wire && lend::lends(r, self.api, parent));
        match lent {
            Some(r) => Ok((None, r.field.description.clone())),
            None => Ok((None, UNDESCRIBED.to_owned())),
        }
    }
}

/// Adds the table's fields that the example lacks to the one object of the example that
/// has others of them, as optional fields.
fn add_table_fields(shape: &mut Shape, table: &[FieldDoc]) -> Result<(), Refusal> {
    /// The objects (at any depth) with at least one of `names`, and whether one has `name`.
    fn scan(shape: &Shape, names: &[&str], name: &str, holders: &mut usize, has: &mut bool) {
        match shape {
            Shape::List(inner) | Shape::Map(inner) => scan(inner, names, name, holders, has),
            Shape::Obj(slots) => {
                *holders += usize::from(slots.iter().any(|s| names.contains(&s.wire.as_str())));
                *has |= slots.iter().any(|s| s.wire == name);
                for s in slots {
                    scan(&s.shape, names, name, holders, has);
                }
            }
            _ => {}
        }
    }
    /// Adds `slot` to the first object with one of `names`; gives it back when there is none.
    fn add(shape: &mut Shape, names: &[&str], slot: infer::Slot) -> Option<infer::Slot> {
        match shape {
            Shape::List(inner) | Shape::Map(inner) => add(inner, names, slot),
            Shape::Obj(slots) if slots.iter().any(|s| names.contains(&s.wire.as_str())) => {
                slots.push(slot);
                None
            }
            Shape::Obj(slots) => slots
                .iter_mut()
                .try_fold(slot, |slot, s| add(&mut s.shape, names, slot)),
            _ => Some(slot),
        }
    }
    let names: Vec<&str> = table.iter().map(|f| f.name.as_str()).collect();
    for f in table {
        let (mut holders, mut has) = (0, false);
        scan(shape, &names, &f.name, &mut holders, &mut has);
        if has {
            continue;
        }
        if !infer::is_field_name(&f.name) {
            let name = short(&f.name);
            return refuse(f.line, format!("field `{name}` is not a plain field name"));
        }
        let what = match holders {
            0 => "is in no object of the example",
            1 => "",
            _ => "could belong to several objects of the example",
        };
        if !what.is_empty() {
            return refuse(
                f.line,
                format!("field `{}` of the table {what}", short(&f.name)),
            );
        }
        let slot = infer::Slot {
            wire: f.name.clone(),
            shape: Shape::Unknown,
            optional: true,
        };
        if add(shape, &names, slot).is_some() {
            return refuse(
                f.line,
                format!("field `{}` of the table has no object", short(&f.name)),
            );
        }
    }
    Ok(())
}

/// One method.
fn build_method(
    page: &Page,
    a: &ApiDoc,
    m: &MethodDoc,
    stem: &str,
    tables: &[lend::Row],
    names: &mut Names,
    types: &mut Vec<Struct>,
) -> Result<MethodOut, Refusal> {
    let http = match &m.http {
        None => {
            return refuse(
                m.line,
                format!("method `{}` has no `**HTTP Method:**`", short(&m.name)),
            );
        }
        Some((h, line)) => match h.as_str() {
            "GET" => "GET",
            "POST" => "POST",
            // Either is accepted: POST keeps the parameters out of URLs and logs.
            "GET or POST" | "GET/POST" | "POST or GET" => "POST",
            _ => {
                return refuse(
                    *line,
                    format!("HTTP method `{}` is not GET, POST or either", short(h)),
                );
            }
        },
    };
    if m.params.is_empty() {
        return refuse(
            m.line,
            format!("method `{}` has no `**Parameters:**`", short(&m.name)),
        );
    }
    let mut response = None;
    let mut example = None;
    let mut data_shape = None;
    if let Some(r) = &m.response {
        let Json::Obj(envelope) = &r.value else {
            return refuse(r.line, "the example response is not a JSON object");
        };
        match envelope.iter().find(|(k, _)| k == "success") {
            Some((_, Json::Bool(true))) => {}
            _ => {
                return refuse(
                    r.line,
                    "the example response is not a success envelope (`\"success\": true`)",
                );
            }
        }
        if envelope.iter().any(|(k, _)| k != "success" && k != "data") {
            return refuse(
                r.line,
                "the example response has keys besides `success` and `data`",
            );
        }
        if let Some((_, data)) = envelope.iter().find(|(k, _)| k == "data") {
            let mut s = infer::shape(data).or_else(|e| refuse(r.line, e))?;
            add_table_fields(&mut s, &m.fields)?;
            data_shape = Some(s);
        }
        example = Some(r.text.clone());
    } else if !m.fields.is_empty() {
        return refuse(
            m.fields[0].line,
            "a field table without an example response",
        );
    }
    if let Some(s) = &data_shape {
        let facts = TableFacts {
            api: &a.name,
            own: &m.fields,
            page: tables,
        };
        let base = format!("{stem}{}", m.name.to_upper_camel_case());
        let what = format!("The data of {} `{}`", a.name, m.name);
        let ty = infer::ty(s, (&base, ""), &what, &facts, names, types)
            .or_else(|e| refuse(m.line, e))?;
        response = Some(ty);
    }
    let mut params = Vec::new();
    for p in m
        .params
        .iter()
        .filter(|p| !RUNTIME.contains(&p.name.as_str()) && !uploads(&p.text))
    {
        if params.iter().any(|q: &ParamOut| q.name == p.name) {
            return refuse(
                p.line,
                format!("parameter `{}` listed twice", short(&p.name)),
            );
        }
        params.push(params::param(page, p));
    }
    params::pair_limit(&mut params);
    let pagination = params::pagination(&params, response.as_ref(), types);
    let mut notes = m.notes.clone();
    for (heading, items) in &m.vocabularies {
        if items.is_empty() {
            return refuse(
                m.line,
                format!(
                    "`{}` in method `{}` is not followed by a list",
                    short(heading),
                    short(&m.name)
                ),
            );
        }
        notes.extend(items.iter().map(|i| format!("{heading}: {i}")));
    }
    Ok(MethodOut {
        name: m.name.clone(),
        http,
        description: m.description.clone().unwrap_or_else(|| {
            format!(
                "Calls `{}` (the documentation describes it no further).",
                m.name
            )
        }),
        min_version: None,
        session: m.params.iter().any(|p| p.name == "_sid"),
        params,
        response,
        pagination,
        notes,
        example,
    })
}
