//! Which row of another method's field table may describe a field that its own method's table
//! does not: only a row about a field in the same place. A field at the data root also takes
//! the row of an element of a list at the other method's data root, in the same API (`Get`
//! answers one of what `List` lists). A `path` in `files` is not the `path` of `shares`, nor a
//! stream's `id` its camera's.

use super::parse::{FieldDoc, Json, Page};

/// Where a field occurs in an example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The field whose value holds the field's object; empty at the data root.
    pub parent: String,
    /// 0 at the data root, 1 in the value of a root field, ...
    pub depth: usize,
    /// The object is an element of a list.
    pub in_list: bool,
}

/// Every place of `wire` in `data` (an example's `data`).
pub fn places(data: &Json, wire: &str) -> Vec<Place> {
    /// Depth-first, lists transparent.
    fn walk(v: &Json, at: &Place, wire: &str, out: &mut Vec<Place>) {
        match v {
            Json::List(items) => {
                let inner = Place {
                    in_list: true,
                    ..at.clone()
                };
                for i in items {
                    walk(i, &inner, wire, out);
                }
            }
            Json::Obj(entries) => {
                for (k, x) in entries {
                    if k == wire && !out.contains(at) {
                        out.push(at.clone());
                    }
                    let below = Place {
                        parent: k.clone(),
                        depth: at.depth + 1,
                        in_list: false,
                    };
                    walk(x, &below, wire, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let root = Place {
        parent: String::new(),
        depth: 0,
        in_list: false,
    };
    walk(data, &root, wire, &mut out);
    out
}

/// One row of a field table of the page, with its API and the places its method's example
/// gives it (for a row the example lacks, those of the first row of its table it has).
#[derive(Debug)]
pub struct Row<'a> {
    /// The API of the row's method.
    pub api: &'a str,
    /// The row.
    pub field: &'a FieldDoc,
    /// Where the row's field is in its method's example.
    pub places: Vec<Place>,
}

/// Every table row of `page`.
pub fn rows(page: &Page) -> Vec<Row<'_>> {
    let mut out = Vec::new();
    for a in &page.apis {
        for m in &a.methods {
            let data = m.response.as_ref().and_then(|r| match &r.value {
                Json::Obj(entries) => entries.iter().find(|(k, _)| k == "data").map(|(_, d)| d),
                _ => None,
            });
            let found: Vec<Vec<Place>> = m
                .fields
                .iter()
                .map(|f| data.map(|d| places(d, &f.name)).unwrap_or_default())
                .collect();
            let sibling = found.iter().find(|p| !p.is_empty()).cloned();
            for (f, p) in m.fields.iter().zip(found) {
                let places = if p.is_empty() {
                    sibling.clone().unwrap_or_default()
                } else {
                    p
                };
                out.push(Row {
                    api: &a.name,
                    field: f,
                    places,
                });
            }
        }
    }
    out
}

/// Whether `row` describes a field of API `api` whose object is the value of `parent`
/// (empty at the data root).
pub fn lends(row: &Row, api: &str, parent: &str) -> bool {
    row.places.iter().any(|p| {
        p.parent == parent || (parent.is_empty() && row.api == api && p.depth == 1 && p.in_list)
    })
}
