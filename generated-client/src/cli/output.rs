//! What an answer looks like, apart from writing it (`print.rs`): the JSON the typed response
//! serialized to, read back in its own field order ([`Json`]); its rows ([`rows`], which
//! tables and ndjson share); and tables, aligned by display width with a header row. Every
//! string shown in a table (values and field names alike) has its control characters escaped
//! first, so no cell can act on the terminal and widths count what is shown; a table cut to
//! a width cuts cells at grapheme boundaries and ends them with `…`.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Serialize, Serializer};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::escape::escape_controls;

/// JSON with object fields in document order (`serde_json::Value` sorts them).
#[derive(Debug, PartialEq)]
pub(crate) enum Json {
    /// A string, number or boolean.
    Scalar(serde_json::Value),
    Null,
    List(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
                Ok(Json::Scalar(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
                Ok(Json::Scalar(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
                Ok(Json::Scalar(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
                // JSON text has no NaN or infinity, so this is never `Null`.
                Ok(Json::Scalar(v.into()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Json, E> {
                Ok(Json::Scalar(v.into()))
            }
            fn visit_string<E>(self, v: String) -> Result<Json, E> {
                Ok(Json::Scalar(v.into()))
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(n) = seq.next_element()? {
                    items.push(n);
                }
                Ok(Json::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut fields = Vec::new();
                while let Some(field) = map.next_entry::<String, Json>()? {
                    fields.push(field);
                }
                Ok(Json::Object(fields))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Scalar(v) => v.serialize(s),
            Json::Null => s.serialize_unit(),
            Json::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl Json {
    /// Text for one table cell, control characters escaped: scalars as they are, nested
    /// values as compact JSON-like text.
    fn cell(&self) -> String {
        match self {
            Json::Scalar(serde_json::Value::String(s)) => escape_controls(s).into_owned(),
            Json::Scalar(v) => v.to_string(),
            Json::Null => String::new(),
            Json::List(items) => format!(
                "[{}]",
                items.iter().map(Json::cell).collect::<Vec<_>>().join(", ")
            ),
            Json::Object(fields) => {
                let inner: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{}: {}", escape_controls(k), v.cell()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
        }
    }

    fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }
}

/// What an answer lists, for a table's rows and ndjson's lines.
#[derive(Debug)]
pub(crate) enum Rows<'a> {
    /// A list, and the answer's other fields when the list was one of them.
    Items {
        items: &'a [Json],
        others: Vec<&'a (String, Json)>,
    },
    /// An answer that lists nothing.
    Whole(&'a Json),
}

/// The answer's list: the answer itself when it is a list; else its field named `hint` (a
/// paginated method's items) when that is a list; else its one field that is a list of
/// objects, when it has exactly one. Anything else lists nothing.
pub(crate) fn rows<'a>(answer: &'a Json, hint: Option<&str>) -> Rows<'a> {
    let fields = match answer {
        Json::List(items) => {
            return Rows::Items {
                items,
                others: Vec::new(),
            };
        }
        Json::Object(fields) => fields,
        other => return Rows::Whole(other),
    };
    let hinted = fields
        .iter()
        .position(|(k, v)| Some(k.as_str()) == hint && matches!(v, Json::List(_)));
    let list = hinted.or_else(|| {
        let mut lists = fields.iter().enumerate().filter(
            |(_, (_, v))| matches!(v, Json::List(rows) if rows.iter().all(Json::is_object)),
        );
        match (lists.next(), lists.next()) {
            (Some((only, _)), None) => Some(only),
            _ => None,
        }
    });
    match list.map(|i| (i, &fields[i].1)) {
        Some((i, Json::List(items))) => Rows::Items {
            items,
            others: fields
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, f)| f)
                .collect(),
        },
        _ => Rows::Whole(answer),
    }
}

/// A table of `json` (our own JSON text), cut to `width` when given. See [`render`].
pub(crate) fn table(json: &str, width: Option<usize>) -> String {
    match serde_json::from_str::<Json>(json) {
        Ok(answer) => render(&answer, None, width),
        // Not expected (the input is our own JSON); escape the controls line by line to
        // keep the layout.
        Err(_) => json
            .lines()
            .map(escape_controls)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// A table: the answer's list ([`rows`]) is one row per item (columns in the order fields
/// first appear), then the answer's other fields as `name: value` lines; an object that
/// lists nothing is two columns, `field` and `value`; no data is `ok`. With a `width`, no
/// line is wider: cells are cut, widest columns first.
pub(crate) fn render(answer: &Json, hint: Option<&str>, width: Option<usize>) -> String {
    match rows(answer, hint) {
        Rows::Items { items, others } => {
            let mut out = rows_table(items, width);
            for (k, v) in others {
                out.push('\n');
                out.push_str(&fit_line(
                    format!("{}: {}", escape_controls(k), v.cell()),
                    width,
                ));
            }
            out
        }
        Rows::Whole(Json::Object(fields)) if fields.is_empty() => "ok".to_owned(),
        Rows::Whole(Json::Object(fields)) => {
            let rows: Vec<Vec<String>> = fields
                .iter()
                .map(|(k, v)| vec![escape_controls(k).into_owned(), v.cell()])
                .collect();
            align(&["field".to_owned(), "value".to_owned()], &rows, width)
        }
        Rows::Whole(other) => fit_line(other.cell(), width),
    }
}

fn rows_table(rows: &[Json], width: Option<usize>) -> String {
    if rows.is_empty() {
        return "(none)".to_owned();
    }
    let mut columns: Vec<&str> = Vec::new();
    for row in rows {
        if let Json::Object(fields) = row {
            for (k, _) in fields {
                if !columns.contains(&k.as_str()) {
                    columns.push(k);
                }
            }
        }
    }
    if columns.is_empty() {
        let cells: Vec<Vec<String>> = rows.iter().map(|v| vec![v.cell()]).collect();
        return align(&["value".to_owned()], &cells, width);
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| match row {
                    Json::Object(fields) => fields
                        .iter()
                        .find(|(k, _)| k == c)
                        .map(|(_, v)| v.cell())
                        .unwrap_or_default(),
                    other => other.cell(),
                })
                .collect()
        })
        .collect();
    let header: Vec<String> = columns
        .iter()
        .map(|c| escape_controls(c).into_owned())
        .collect();
    align(&header, &cells, width)
}

/// Columns between them.
const GAP: usize = 2;

/// A column is not cut narrower than this (or than its widest cell, if narrower).
const MIN_COLUMN: usize = 8;

/// Columns padded to their widest cell by display width, two spaces apart; with a `width`,
/// cut to fit it where they can.
fn align(header: &[String], rows: &[Vec<String>], width: Option<usize>) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.width());
        }
    }
    if let Some(total) = width {
        widths = fit_columns(&widths, total);
    }
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                out.push_str(&" ".repeat(GAP));
            }
            let shown = cut(c, *w);
            let pad = w.saturating_sub(shown.width());
            out.push_str(&shown);
            out.push_str(&" ".repeat(pad));
        }
        out.trim_end().to_owned()
    };
    let mut out = vec![line(header)];
    out.extend(rows.iter().map(|r| line(r)));
    out.join("\n")
}

/// Column widths that fit `total` with the gaps: the widest columns are narrowed first, to a
/// common cap, none below [`MIN_COLUMN`]; what the cap leaves goes to the leftmost of them.
/// When even that is too wide, every column is at its minimum and the lines wrap.
fn fit_columns(widths: &[usize], total: usize) -> Vec<usize> {
    let gaps = GAP * widths.len().saturating_sub(1);
    let budget = total.saturating_sub(gaps);
    if widths.iter().sum::<usize>() <= budget {
        return widths.to_vec();
    }
    let floor: Vec<usize> = widths.iter().map(|w| (*w).min(MIN_COLUMN)).collect();
    let capped = |cap: usize| -> Vec<usize> {
        widths
            .iter()
            .zip(&floor)
            .map(|(w, f)| (*w).min(cap).max(*f))
            .collect()
    };
    // The largest cap that fits, by bisection (the sum grows with the cap); a cap of 0 gives
    // the floors, the least there is.
    let fits = |cap: usize| capped(cap).iter().sum::<usize>() <= budget;
    let (mut lo, mut hi) = (0, widths.iter().copied().max().unwrap_or(0));
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut out = capped(lo);
    let mut left = budget.saturating_sub(out.iter().sum());
    for (o, w) in out.iter_mut().zip(widths) {
        if left > 0 && *o < *w {
            *o += 1;
            left -= 1;
        }
    }
    out
}

/// `text` when it is at most `width` wide; else its longest start of whole grapheme clusters
/// that leaves room for `…`, then `…`.
pub(crate) fn cut(text: &str, width: usize) -> std::borrow::Cow<'_, str> {
    if text.width() <= width {
        return text.into();
    }
    let room = width.saturating_sub(1);
    let mut end = 0;
    let mut used = 0;
    for (at, g) in text.grapheme_indices(true) {
        let w = g.width();
        if used + w > room {
            break;
        }
        used += w;
        end = at + g.len();
    }
    let mut out = text[..end].to_owned();
    if width > 0 {
        out.push('…');
    }
    out.into()
}

/// A line of its own (a `name: value` line, a lone value), cut to `width` when given.
fn fit_line(line: String, width: Option<usize>) -> String {
    match width {
        Some(w) => cut(&line, w).into_owned(),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::{Json, Rows, cut, fit_columns, render, rows, table};

    #[test]
    fn a_list_with_a_total_is_a_table_and_a_line_in_field_order() {
        let json = r#"{"connections": [{"name": "a", "id": 1}, {"name": "bb", "id": 22, "x": null}], "total": 2}"#;
        assert_eq!(
            table(json, None),
            "name  id  x\na     1\nbb    22\ntotal: 2"
        );
    }

    #[test]
    fn an_object_is_two_columns_and_no_data_is_ok() {
        assert_eq!(
            table(r#"{"bb": "x", "a": [1, 2]}"#, None),
            "field  value\nbb     x\na      [1, 2]"
        );
        assert_eq!(table("{}", None), "ok");
        assert_eq!(table("[]", None), "(none)");
    }

    #[test]
    fn control_characters_are_escaped_and_widths_count_the_escapes() {
        let json = r#"[{"name": "a\u001b[2Jb", "id": 1}, {"name": "c", "id": 2}]"#;
        assert_eq!(
            table(json, None),
            "name         id\na\\u{1b}[2Jb  1\nc            2"
        );
        // Field names, nested values and the `name: value` lines too.
        let json = "{\"rows\": [{\"k\\u0085\": \"v\u{202e}\"}], \"n\\n\": {\"x\": \"\u{7f}\"}}";
        assert_eq!(
            table(json, None),
            "k\\u{85}\nv\\u{202e}\nn\\u{a}: {x: \\u{7f}}"
        );
        let json = "{\"a\": \"\\t\", \"b\": [\"\u{2066}\"]}";
        assert_eq!(
            table(json, None),
            "field  value\na      \\u{9}\nb      [\\u{2066}]"
        );
    }

    #[test]
    fn text_that_is_not_json_has_its_lines_escaped() {
        assert_eq!(table("x\u{9b}y\nz\u{202e}", None), "x\\u{9b}y\nz\\u{202e}");
    }

    #[test]
    fn wide_characters_count_two_columns() {
        let json = r#"[{"name": "同步資料夾", "n": 1}, {"name": "🚀📁", "n": 2}, {"name": "abc", "n": 3}]"#;
        assert_eq!(
            table(json, None),
            "name        n\n同步資料夾  1\n🚀📁        2\nabc         3"
        );
    }

    #[test]
    fn cells_are_cut_at_grapheme_boundaries_by_display_width() {
        assert_eq!(cut("abcdef", 6), "abcdef");
        assert_eq!(cut("abcdefg", 6), "abcde…");
        // A wide character that would straddle the edge is left out whole.
        assert_eq!(cut("同步資料夾", 6), "同步…");
        assert_eq!(cut("ab🚀cd", 4), "ab…");
        // `e` and its combining acute accent stay together.
        assert_eq!(cut("e\u{301}e\u{301}e\u{301}xyz", 3), "e\u{301}e\u{301}…");
        assert_eq!(cut("abc", 1), "…");
        assert_eq!(cut("abc", 0), "");
    }

    #[test]
    fn the_widest_columns_give_way_first() {
        assert_eq!(fit_columns(&[4, 30, 10], 80), [4, 30, 10]);
        // 4 + 2 + x + 2 + y = 30: both wide ones at 11.
        assert_eq!(fit_columns(&[4, 30, 20], 30), [4, 11, 11]);
        assert_eq!(fit_columns(&[4, 30, 10], 30), [4, 12, 10]);
        // Never below the minimum: the line is longer than asked.
        assert_eq!(fit_columns(&[20, 20, 20], 10), [8, 8, 8]);
    }

    #[test]
    fn a_width_cuts_cells_and_lines_and_keeps_columns_aligned() {
        let answer: Json = serde_json::from_str(
            r#"{"items": [{"id": 1, "path": "/volume1/同步資料夾/report-2024.pdf"}, {"id": 22, "path": "/a"}], "note": "a long line that does not fit"}"#,
        )
        .unwrap();
        assert_eq!(
            render(&answer, None, Some(20)),
            "id  path\n1   /volume1/同步資…\n22  /a\nnote: a long line t…"
        );
    }

    #[test]
    fn a_table_of_wide_characters_cut_to_a_pinned_width_matches_its_snapshot() {
        use unicode_width::UnicodeWidthStr;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
        let answer: Json =
            serde_json::from_str(include_str!("../../tests/snapshots/cli_table_wide.json"))
                .unwrap();
        let shown = render(&answer, Some("connections"), Some(60)) + "\n";
        for line in shown.lines() {
            assert!(line.width() <= 60, "{line:?} is {} wide", line.width());
        }
        let path = dir.join("cli_table_wide_60.txt");
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(&path, &shown).unwrap();
        }
        let expected = std::fs::read_to_string(&path).unwrap();
        assert!(
            shown == expected,
            "{} differs (UPDATE_EXPECT=1 rewrites it):\n{shown}",
            path.display()
        );
    }

    #[test]
    fn the_hint_names_the_list_among_several() {
        let answer: Json =
            serde_json::from_str(r#"{"a": [{"x": 1}], "b": [{"y": 2}, {"y": 3}], "total": 2}"#)
                .unwrap();
        assert!(matches!(rows(&answer, None), Rows::Whole(_)));
        let Rows::Items { items, others } = rows(&answer, Some("b")) else {
            panic!("b is the list");
        };
        assert_eq!((items.len(), others.len()), (2, 2));
    }
}
