//! Text from the server made safe for a terminal: control characters become visible escapes.

use std::borrow::Cow;
use std::fmt::Write;

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

/// [`escape_controls`] for an owned string, reusing it when nothing changes.
pub(crate) fn escape_owned(text: String) -> String {
    match escape_controls(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(escaped) => escaped,
    }
}

/// JSON text with the control characters serde_json leaves raw (DEL, C1, the bidi controls;
/// it escapes C0 itself) written as JSON escapes (`\u009b`): the same JSON, read back, and
/// nothing in it can act on a terminal. They can only occur inside strings, where an escape
/// means the same character.
pub(crate) fn escape_json(text: String) -> String {
    if !text.contains(|c: char| c != '\n' && is_control(c)) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c != '\n' && is_control(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{escape_controls, escape_json, escape_owned};

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

    #[test]
    fn json_keeps_its_meaning_with_no_raw_control_left() {
        let value = serde_json::json!({
            "a\u{9b}": "x\u{1b}[2J\u{7f}\u{85}\ny\u{202e}z\u{2066}",
            "plain": ["同步 🚀", 1],
        });
        for text in [
            serde_json::to_string(&value).unwrap(),
            serde_json::to_string_pretty(&value).unwrap(),
        ] {
            let safe = escape_json(text.clone());
            let raw: Vec<char> = safe
                .chars()
                .filter(|c| *c != '\n' && (c.is_control() || ('\u{202a}'..='\u{2069}').contains(c)))
                .collect();
            assert_eq!(raw, Vec::<char>::new(), "{safe}");
            assert!(
                safe.contains("\\u009b") && safe.contains("\\u202e"),
                "{safe}"
            );
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&safe).unwrap(),
                value
            );
        }
        let plain = "{\"a\":\"b\"}".to_owned();
        assert_eq!(escape_json(plain.clone()), plain);
    }

    #[test]
    fn text_around_escapes_is_kept_including_non_ascii() {
        assert_eq!(escaped("同步\u{1b}🚀\u{85}ß"), "同步\\u{1b}🚀\\u{85}ß");
        assert_eq!(escape_owned("plain".to_owned()), "plain");
        assert_eq!(escape_owned("a\u{7f}".to_owned()), "a\\u{7f}");
    }
}
