//! One method documented in several sections (`` `control` (play) ``, `` `control` (stop) ``)
//! that differ only in the constant value of one required parameter: merged into one method
//! whose parameter takes any of those values. Sections that differ in anything else are
//! refused: the spec has one description per method.

use super::params::constant;
use super::parse::{ApiDoc, MethodDoc, Page, Refusal, refuse, short};

/// `page` with each method's labelled sections merged into one.
pub fn merge(mut page: Page) -> Result<Page, Refusal> {
    for api in &mut page.apis {
        merge_api(api)?;
    }
    Ok(page)
}

/// Merges the labelled sections of one API's methods, in place of the first section.
fn merge_api(api: &mut ApiDoc) -> Result<(), Refusal> {
    let mut out: Vec<MethodDoc> = Vec::new();
    for m in std::mem::take(&mut api.methods) {
        match out
            .iter_mut()
            .find(|o| o.name == m.name && o.variant.is_some() && m.variant.is_some())
        {
            Some(first) => join(first, m)?,
            None => out.push(m),
        }
    }
    for m in &out {
        if let Some(label) = &m.variant
            && !m.params.iter().any(|p| !p.values.is_empty())
        {
            return refuse(
                m.line,
                format!(
                    "method `{}` has one section labelled `({})` and no other",
                    short(&m.name),
                    short(label)
                ),
            );
        }
    }
    api.methods = out;
    Ok(())
}

/// The one required parameter whose constant value is the section's label.
fn varying(m: &MethodDoc) -> Option<usize> {
    let label = m.variant.as_deref()?;
    let mut at = m
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| constant(p) == Some(label));
    match (at.next(), at.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// Adds section `m` to `first` (the method's first section), or refuses it.
fn join(first: &mut MethodDoc, m: MethodDoc) -> Result<(), Refusal> {
    let name = short(&m.name);
    let differ = |what: &str| {
        refuse(
            m.line,
            format!(
                "method `{name}` has sections that differ in {what}, not only in one constant parameter"
            ),
        )
    };
    let Some(i) = varying(&m) else {
        return differ("no required parameter whose value is the section's label");
    };
    let j = if first.params.iter().any(|p| !p.values.is_empty()) {
        first.params.iter().position(|p| !p.values.is_empty())
    } else {
        varying(first)
    };
    if j.is_none_or(|j| j != i || first.params[j].name != m.params[i].name) {
        return differ("which parameter is the section's label");
    }
    let same_params = first.params.len() == m.params.len()
        && first
            .params
            .iter()
            .zip(&m.params)
            .enumerate()
            .all(|(k, (a, b))| {
                a.name == b.name && a.required == b.required && (k == i || a.text == b.text)
            });
    if !same_params {
        return differ("their parameters");
    }
    if first.http.as_ref().map(|h| &h.0) != m.http.as_ref().map(|h| &h.0) {
        return differ("their HTTP method");
    }
    if first.description != m.description {
        return differ("their description");
    }
    if first.response.as_ref().map(|r| &r.value) != m.response.as_ref().map(|r| &r.value) {
        return differ("their example response");
    }
    let rows = |x: &MethodDoc| {
        x.fields
            .iter()
            .map(|f| (f.name.clone(), f.ty.clone(), f.description.clone()))
            .collect::<Vec<_>>()
    };
    if rows(first) != rows(&m) {
        return differ("their field table");
    }
    if first.not_json.is_some() || m.not_json.is_some() {
        return differ("an answer that is not JSON");
    }
    let p = &mut first.params[i];
    if p.values.is_empty() {
        let value = p.text.trim_matches('`').to_owned();
        p.values.push(value);
    }
    let value = m.params[i].text.trim_matches('`').to_owned();
    p.values.push(value);
    let list: Vec<String> = p.values.iter().map(|v| format!("`{v}`")).collect();
    p.text = format!(
        "One of {}: the page documents each value in a section of its own",
        list.join(", ")
    );
    for note in m.notes {
        if !first.notes.contains(&note) {
            first.notes.push(note);
        }
    }
    for v in m.vocabularies {
        if !first.vocabularies.contains(&v) {
            first.vocabularies.push(v);
        }
    }
    Ok(())
}
