//! A [`SpecOut`] as YAML in the hand-written form (no `imported: true`): the schema line, a
//! comment naming the page, `source`, `types`, `apis`. Strings are double-quoted by the
//! dsm-lib importer's writer, so no documentation text can change the YAML's structure.

use std::fmt::Write;

use crate::import::yaml::{FieldLine, write_struct};
pub use crate::import::yaml::{key, quote};

use super::build::SpecOut;

/// The whole file: `schema` is the `$schema` path, `page` the page's path for the comment.
pub fn render(spec: &SpecOut, schema: &str, page: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# yaml-language-server: $schema={schema}");
    let _ = writeln!(
        out,
        "# Imported by `cargo xtask import docs` from {page}. Documentation is no evidence that"
    );
    out.push_str(
        "# these APIs exist on a real DSM: check a recorded answer before relying on one.\n",
    );
    let _ = writeln!(out, "source: {}", quote(&spec.source));
    if !spec.types.is_empty() {
        out.push_str("\ntypes:\n");
        for (i, t) in spec.types.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let fields = t.fields.iter().map(|f| FieldLine {
                wire: &f.wire,
                ty: &f.ty,
                optional: f.optional,
                secret: f.secret,
                description: &f.description,
            });
            write_struct(&mut out, &t.name, &t.description, fields);
        }
    }
    out.push_str("\napis:\n");
    for (i, a) in spec.apis.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "  {}:", key(&a.name));
        let _ = writeln!(out, "    description: {}", quote(&a.description));
        let _ = writeln!(out, "    path: {}", quote(&a.path));
        let _ = writeln!(
            out,
            "    versions: {{ min: {}, max: {} }}",
            a.versions.0, a.versions.1
        );
        out.push_str("    methods:\n");
        for m in &a.methods {
            let _ = writeln!(out, "      {}:", key(&m.name));
            let _ = writeln!(out, "        http: {}", m.http);
            let _ = writeln!(out, "        description: {}", quote(&m.description));
            if let Some(v) = m.min_version {
                let _ = writeln!(out, "        min_version: {v}");
            }
            if !m.session {
                out.push_str("        session: false\n");
            }
            if !m.params.is_empty() {
                out.push_str("        params:\n");
                for p in &m.params {
                    if let Some(c) = &p.constant {
                        let _ = writeln!(
                            out,
                            "          {}: {{ const: {}, description: {} }}",
                            key(&p.name),
                            quote(c),
                            quote(&p.description)
                        );
                        continue;
                    }
                    let mut line = format!(
                        "          {}: {{ type: {}",
                        key(&p.name),
                        quote(&p.ty.to_string())
                    );
                    if p.required {
                        line.push_str(", required: true");
                    }
                    if let Some(d) = &p.default {
                        let _ = write!(line, ", default: {d}");
                    }
                    if p.secret {
                        line.push_str(", secret: true");
                    }
                    if let Some(e) = &p.example {
                        let _ = write!(line, ", example: {e}");
                    }
                    let _ = writeln!(line, ", description: {} }}", quote(&p.description));
                    out.push_str(&line);
                }
            }
            if let Some(r) = &m.response {
                let _ = writeln!(out, "        response: {}", quote(&r.to_string()));
            }
            if let Some((offset, limit, items, total)) = &m.pagination {
                let total = total
                    .as_ref()
                    .map(|t| format!(", total: {}", key(t)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "        pagination: {{ offset: {}, limit: {}, items: {}{total} }}",
                    key(offset),
                    key(limit),
                    key(items)
                );
            }
            if !m.notes.is_empty() {
                out.push_str("        notes:\n");
                for n in &m.notes {
                    let _ = writeln!(out, "          - {}", quote(n));
                }
            }
            if let Some(e) = &m.example {
                out.push_str(&example(e));
            }
        }
    }
    out
}

/// `example:` as a literal block when every line can stand in one as it is, else as one
/// quoted string.
fn example(text: &str) -> String {
    let text = text.trim_end();
    let block_safe = !text.is_empty()
        && !text.starts_with(char::is_whitespace)
        && text.chars().all(|c| {
            c == '\n'
                || c == ' '
                || (!c.is_control()
                    && c != '\u{feff}'
                    && c != '\u{85}'
                    && c != '\u{2028}'
                    && c != '\u{2029}')
        })
        && text.lines().all(|l| l.trim_end() == l);
    if !block_safe {
        return format!("        example: {}\n", quote(text));
    }
    let mut out = String::from("        example: |\n");
    for l in text.lines() {
        if l.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "          {l}");
        }
    }
    out
}
