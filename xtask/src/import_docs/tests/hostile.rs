//! Hostile pages: truncated, shuffled, junk-laden and pseudo-randomly garbled variants of a
//! page are refused at a line of the page or import as specs that load; never a panic.

use super::*;

/// Truncated and garbled variants of `text`.
fn hostile(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for cut in (0..chars.len()).step_by(7) {
        out.push(chars[..cut].iter().collect());
    }
    let lines: Vec<&str> = text.lines().collect();
    for i in 0..lines.len() {
        let mut dropped = lines.clone();
        dropped.remove(i);
        out.push(dropped.join("\n"));
        let mut swapped = lines.clone();
        swapped.swap(i, (i * 7 + 3) % lines.len());
        out.push(swapped.join("\n"));
        let mut junk = lines.clone();
        junk.insert(
            i,
            [
                "```",
                "| x |",
                "- `",
                "#### Method: `",
                "**Response:**",
                "\u{0}\u{feff}\"",
                "## SYNO.",
            ][i % 7],
        );
        out.push(junk.join("\n"));
    }
    out.push(text.replace("\"total\": 1", "\"total\": 1, \"total\": 2"));
    out.push(text.replace("| integer |", "| integer | extra |"));
    out.push(text.replace("| `color` | string |", "| `color` | vector |"));
    out.push(text.replace(
        "\"owner\": \"ann\"",
        "\"owner\": \"ann\", \"id\": \"seven\"",
    ));
    out
}

/// Truncated, shuffled and junk-laden pages are refused at a line of the page, writing
/// nothing, or import as specs that load.
#[test]
fn hostile_pages_are_refused_with_a_line_never_a_panic() {
    let mut refused = 0;
    for (n, text) in hostile(PAGE).iter().enumerate() {
        let import = import_pages(&[("p.md", text)]);
        let [(_, outcome)] = import.pages.as_slice() else {
            panic!()
        };
        match outcome {
            Outcome::Refused(line, why) => {
                refused += 1;
                assert!(
                    *line >= 1 && *line <= text.lines().count() + 1,
                    "variant {n}: line {line}: {why}"
                );
                assert!(import.files.is_empty());
            }
            Outcome::Imported(..) => {
                assert_eq!(import.files.len(), 1);
                codegen::load_sources(import.files.clone()).expect("what is imported loads");
            }
            Outcome::Skipped(_) => panic!("variant {n} skipped"),
        }
    }
    assert!(refused > 50, "{refused}");
}

/// Pseudo-random cuts and insertions never panic, and refusals name a line of the page.
#[test]
fn randomly_garbled_pages_never_panic() {
    // xorshift: the same variants on every run.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    let pieces = [
        "`", "|", "\n", "\n- ", "**", ":**", "{", "}", "[", "\"", ",", "#", " ", "\u{7f}", "é",
    ];
    let chars: Vec<char> = PAGE.chars().collect();
    for _ in 0..400 {
        let mut text: Vec<char> = chars.clone();
        for _ in 0..1 + next(4) {
            let at = next(text.len());
            match next(3) {
                0 => {
                    let end = (at + next(40)).min(text.len());
                    text.drain(at..end);
                }
                1 => text
                    .splice(at..at, pieces[next(pieces.len())].chars())
                    .for_each(drop),
                _ => text.truncate(at),
            }
        }
        let text: String = text.into_iter().collect();
        let import = import_pages(&[("p.md", &text)]);
        if let [(_, Outcome::Refused(line, why))] = import.pages.as_slice() {
            assert!(
                *line >= 1 && *line <= text.lines().count() + 1,
                "line {line}: {why}"
            );
            assert!(import.files.is_empty());
        }
    }
}
