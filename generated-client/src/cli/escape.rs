//! Text from the server made safe for a terminal: control characters become visible escapes.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

use serde_json::ser::Formatter;

/// Whether `c` can act on a terminal or on how text around it reads: C0 controls (line
/// breaks and tabs included), DEL, C1 controls, and the Unicode bidirectional controls.
fn is_control(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// `text` with every control character written as a Rust-style escape (ESC is `\u{1b}`,
/// U+202E is `\u{202e}`); borrowed unchanged when it has none. Backslashes stay as they
/// are, so the result is for reading, not for parsing back.
pub(crate) fn escape_controls(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(is_control) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if is_control(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A serde_json [`Formatter`] that also writes the control characters serde_json leaves raw
/// in strings (DEL, C1, the bidi controls; it escapes C0 itself) as JSON escapes (`\u009b`),
/// around `F` (serde_json's `CompactFormatter` or `PrettyFormatter`), which does the rest.
/// The JSON reads back the same, and nothing in it can act on a terminal. Object keys are
/// strings too and go the same way.
pub(crate) struct SafeJson<F>(pub(crate) F);

impl<F: Formatter> Formatter for SafeJson<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = rest.find(is_control) {
            let c = rest[at..].chars().next().unwrap_or_default();
            self.0.write_string_fragment(w, &rest[..at])?;
            write!(w, "\\u{:04x}", u32::from(c))?;
            rest = &rest[at + c.len_utf8()..];
        }
        self.0.write_string_fragment(w, rest)
    }

    // Everything else is `F`'s (the layout of a pretty formatter lives in these).
    fn begin_string<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_string(w)
    }
    fn end_string<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_string(w)
    }
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{SafeJson, escape_controls};

    fn escaped(text: &str) -> String {
        escape_controls(text).into_owned()
    }

    #[test]
    fn c0_controls_are_escaped_line_breaks_and_tabs_included() {
        assert_eq!(escaped("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(escaped("a\nb\r\tc"), "a\\u{a}b\\u{d}\\u{9}c");
        assert_eq!(escaped("\0"), "\\u{0}");
        assert_eq!(escaped("\u{7}\u{8}\u{1f}"), "\\u{7}\\u{8}\\u{1f}");
    }

    #[test]
    fn del_and_c1_controls_are_escaped() {
        assert_eq!(escaped("x\u{7f}y"), "x\\u{7f}y");
        assert_eq!(escaped("\u{80}\u{9b}31m\u{9f}"), "\\u{80}\\u{9b}31m\\u{9f}");
        // The first character after C1 is a letter, kept as is.
        assert_eq!(escaped("\u{a0}é"), "\u{a0}é");
    }

    #[test]
    fn bidi_controls_are_escaped() {
        let all = "\u{61c}\u{200e}\u{200f}\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}\
                   \u{2066}\u{2067}\u{2068}\u{2069}";
        assert_eq!(
            escaped(all),
            "\\u{61c}\\u{200e}\\u{200f}\\u{202a}\\u{202b}\\u{202c}\\u{202d}\\u{202e}\
             \\u{2066}\\u{2067}\\u{2068}\\u{2069}"
        );
        assert_eq!(escaped("invoice\u{202e}fdp.exe"), "invoice\\u{202e}fdp.exe");
        // Neighbours of the bidi ranges are ordinary characters.
        assert_eq!(
            escaped("\u{200d}\u{2029}\u{206a}"),
            "\u{200d}\u{2029}\u{206a}"
        );
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for text in [
            "",
            "john.doe desktop 3.4.0",
            r"C:\Users\a\b",
            "同步資料夾 ファイル 동기화",
            "backup 🚀📁 done ✓",
            "Ünïcödé ñ ß Ω",
        ] {
            assert!(
                matches!(escape_controls(text), Cow::Borrowed(t) if t == text),
                "{text}"
            );
        }
    }

    /// `value` through [`SafeJson`] around serde_json's pretty or compact formatter.
    fn safe_json(value: &serde_json::Value, pretty: bool) -> String {
        use serde::Serialize;
        use serde_json::ser::{CompactFormatter, PrettyFormatter, Serializer};
        let mut out = Vec::new();
        if pretty {
            let mut ser = Serializer::with_formatter(&mut out, SafeJson(PrettyFormatter::new()));
            value.serialize(&mut ser).unwrap();
        } else {
            let mut ser = Serializer::with_formatter(&mut out, SafeJson(CompactFormatter));
            value.serialize(&mut ser).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_keeps_its_meaning_with_no_raw_control_left() {
        let value = serde_json::json!({
            "a\u{9b}": "x\u{1b}[2J\u{7f}\u{85}\ny\u{202e}z\u{2066}",
            "plain": ["同步 🚀", 1, "\u{61c}\u{200e}\u{200f}\u{2069}é"],
        });
        for pretty in [false, true] {
            let safe = safe_json(&value, pretty);
            let raw: Vec<char> = safe
                .chars()
                .filter(|c| *c != '\n' && (c.is_control() || ('\u{202a}'..='\u{2069}').contains(c)))
                .collect();
            assert_eq!(raw, Vec::<char>::new(), "{safe}");
            for escaped in [
                "\\u009b", "\\u007f", "\\u0085", "\\u202e", "\\u2066", "\\u061c",
            ] {
                assert!(safe.contains(escaped), "{escaped} in {safe}");
            }
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&safe).unwrap(),
                value
            );
        }
        // Nothing else changes: the layout is serde_json's, byte for byte.
        let plain = serde_json::json!({"a": ["b", {"c": "同步 🚀 \u{1b}"}], "d": {}});
        assert_eq!(
            safe_json(&plain, true),
            serde_json::to_string_pretty(&plain).unwrap()
        );
        assert_eq!(safe_json(&plain, false), plain.to_string());
    }

    #[test]
    fn text_around_escapes_is_kept_including_non_ascii() {
        assert_eq!(escaped("同步\u{1b}🚀\u{85}ß"), "同步\\u{1b}🚀\\u{85}ß");
        assert_eq!(escaped("a\u{7f}"), "a\\u{7f}");
    }
}
