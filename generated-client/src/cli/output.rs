//! Printing a response as aligned columns with a header row. The input is the JSON the typed
//! response serialized to, read back in its own field order. Every string from it (values
//! and field names alike) has its control characters escaped as it is read, so no cell can
//! act on the terminal and column widths count what is shown.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};

use super::escape::{escape_controls, escape_owned};

/// JSON with object fields in document order, its strings already escaped.
enum Node {
    Scalar(String),
    Null,
    List(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Scalar(escape_controls(v).into_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Node, E> {
                Ok(Node::Scalar(escape_owned(v)))
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(n) = seq.next_element()? {
                    items.push(n);
                }
                Ok(Node::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut fields = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Node>()? {
                    fields.push((escape_owned(k), v));
                }
                Ok(Node::Object(fields))
            }
        }
        d.deserialize_any(V)
    }
}

impl Node {
    /// Text for one table cell: scalars as they are, nested values as compact JSON.
    fn cell(&self) -> String {
        match self {
            Node::Scalar(s) => s.clone(),
            Node::Null => String::new(),
            Node::List(items) => format!(
                "[{}]",
                items.iter().map(Node::cell).collect::<Vec<_>>().join(", ")
            ),
            Node::Object(fields) => {
                let inner: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.cell()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
        }
    }

    fn is_object(&self) -> bool {
        matches!(self, Node::Object(_))
    }
}

/// A table: a list of objects is one row each; an object holding one such list shows that
/// list, then its other fields as `name: value` lines; any other object is two columns.
pub(crate) fn table(json: &str) -> String {
    let Ok(node) = serde_json::from_str::<Node>(json) else {
        // Not expected (the input is our own JSON); serde_json leaves DEL, C1 and bidi
        // controls raw in strings, so escape those, line by line to keep the layout.
        return json
            .lines()
            .map(escape_controls)
            .collect::<Vec<_>>()
            .join("\n");
    };
    match &node {
        Node::List(rows) => rows_table(rows),
        Node::Object(fields) if fields.is_empty() => "ok".to_owned(),
        Node::Object(fields) => {
            let lists: Vec<usize> = fields
                .iter()
                .enumerate()
                .filter(
                    |(_, (_, v))| matches!(v, Node::List(rows) if rows.iter().all(Node::is_object)),
                )
                .map(|(i, _)| i)
                .collect();
            match lists.as_slice() {
                [only] => {
                    let Node::List(rows) = &fields[*only].1 else {
                        return node.cell();
                    };
                    let mut out = rows_table(rows);
                    for (i, (k, v)) in fields.iter().enumerate() {
                        if i != *only {
                            out.push_str(&format!("\n{k}: {}", v.cell()));
                        }
                    }
                    out
                }
                _ => {
                    let rows: Vec<Vec<String>> = fields
                        .iter()
                        .map(|(k, v)| vec![k.clone(), v.cell()])
                        .collect();
                    align(&["field".to_owned(), "value".to_owned()], &rows)
                }
            }
        }
        other => other.cell(),
    }
}

fn rows_table(rows: &[Node]) -> String {
    if rows.is_empty() {
        return "(none)".to_owned();
    }
    let mut columns: Vec<&str> = Vec::new();
    for row in rows {
        if let Node::Object(fields) = row {
            for (k, _) in fields {
                if !columns.contains(&k.as_str()) {
                    columns.push(k);
                }
            }
        }
    }
    if columns.is_empty() {
        let cells: Vec<Vec<String>> = rows.iter().map(|v| vec![v.cell()]).collect();
        return align(&["value".to_owned()], &cells);
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| match row {
                    Node::Object(fields) => fields
                        .iter()
                        .find(|(k, _)| k == c)
                        .map(|(_, v)| v.cell())
                        .unwrap_or_default(),
                    other => other.cell(),
                })
                .collect()
        })
        .collect();
    let header: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
    align(&header, &cells)
}

fn align(header: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = vec![line(header)];
    out.extend(rows.iter().map(|r| line(r)));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::table;

    #[test]
    fn a_list_with_a_total_is_a_table_and_a_line_in_field_order() {
        let json = r#"{"connections": [{"name": "a", "id": 1}, {"name": "bb", "id": 22, "x": null}], "total": 2}"#;
        assert_eq!(table(json), "name  id  x\na     1\nbb    22\ntotal: 2");
    }

    #[test]
    fn an_object_is_two_columns_and_no_data_is_ok() {
        assert_eq!(
            table(r#"{"bb": "x", "a": [1, 2]}"#),
            "field  value\nbb     x\na      [1, 2]"
        );
        assert_eq!(table("{}"), "ok");
        assert_eq!(table("[]"), "(none)");
    }

    #[test]
    fn control_characters_are_escaped_and_widths_count_the_escapes() {
        let json = r#"[{"name": "a\u001b[2Jb", "id": 1}, {"name": "c", "id": 2}]"#;
        assert_eq!(
            table(json),
            "name         id\na\\u{1b}[2Jb  1\nc            2"
        );
        // Field names, nested values and the `name: value` lines too.
        let json = "{\"rows\": [{\"k\\u0085\": \"v\u{202e}\"}], \"n\\n\": {\"x\": \"\u{7f}\"}}";
        assert_eq!(table(json), "k\\u{85}\nv\\u{202e}\nn\\u{a}: {x: \\u{7f}}");
        let json = "{\"a\": \"\\t\", \"b\": [\"\u{2066}\"]}";
        assert_eq!(
            table(json),
            "field  value\na      \\u{9}\nb      [\\u{2066}]"
        );
    }

    #[test]
    fn text_that_is_not_json_has_its_lines_escaped() {
        assert_eq!(table("x\u{9b}y\nz\u{202e}"), "x\\u{9b}y\nz\\u{202e}");
    }
}
