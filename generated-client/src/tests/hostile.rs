//! Hostile input: arbitrary bytes, arbitrary JSON, envelope-shaped JSON and mutated documented
//! examples go to every method's decoder (and so to the envelope parser): each returns
//! `Ok` or an `Error`, never a panic, and no input makes it recurse or allocate without bound.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::rt::MethodMeta;

/// Every decoder, once: the spec's and the showcase snapshot's (every field type, floats
/// included). Methods with the same response type share a decoder (thousands of imported
/// methods answer raw JSON), so each is kept once, with the first method that has it.
fn methods() -> &'static [&'static MethodMeta] {
    static ONCE: std::sync::OnceLock<Vec<&'static MethodMeta>> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        let mut seen = std::collections::HashSet::new();
        crate::generated::METHODS
            .iter()
            .chain(super::snapshot_showcase::METHODS)
            .copied()
            .filter(|m| seen.insert(m.decode_json as usize))
            .collect()
    })
}

/// Decoders tried per generated body: a window that moves with the case's `start`, so every
/// decoder meets many bodies however many there are, at a bounded cost per case.
const WINDOW: usize = 48;

/// `WINDOW` decoders from `start` (wrapping) on one body; the count of decodes run.
fn decode_some(body: &[u8], start: usize) -> usize {
    let all = methods();
    let mut n = 0;
    for i in 0..WINDOW.min(all.len()) {
        let meta = all[(start + i) % all.len()];
        // Any outcome is fine; a panic fails the property.
        let _ = (meta.decode_json)(meta, body);
        n += 1;
    }
    n
}

/// The decoders the largest bodies go to: every one with a documented example (the
/// hand-written spec's and the snapshot's) and an even spread of the imported ones, 96 at
/// most: the property tests above reach every decoder.
fn sample() -> impl Iterator<Item = &'static MethodMeta> {
    let all = methods();
    let stride = all.len().div_ceil(96).max(1);
    all.iter()
        .enumerate()
        .filter(move |(i, m)| m.example.is_some() || i % stride == 0)
        .map(|(_, m)| *m)
        .take(96)
}

/// Every decoder on one body; the count of decodes run.
fn decode_everywhere(body: &[u8]) -> usize {
    let all = methods();
    for meta in all {
        let _ = (meta.decode_json)(meta, body);
    }
    all.len()
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        "[0-9]{1,25}".prop_map(Value::String),
        // Numeric text floats read, and text that parses to no finite float.
        "[ +-]?[0-9]{0,20}[.]?[0-9]{0,20}([eE][+-]?[0-9]{1,4})? ?".prop_map(Value::String),
        prop::sample::select(vec!["NaN", "inf", "-infinity", "1e400", "-0"])
            .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A documented example with one field of its data replaced by arbitrary JSON.
fn mutated_example() -> impl Strategy<Value = Value> {
    let examples: Vec<Value> = crate::generated::METHODS
        .iter()
        .chain(super::snapshot_showcase::METHODS)
        .filter_map(|m| m.example.and_then(|e| serde_json::from_str(e).ok()))
        .collect();
    (0..examples.len(), any::<prop::sample::Index>(), any_json()).prop_map(
        move |(i, at, replacement)| {
            let mut example = examples[i].clone();
            if let Some(Value::Object(data)) = example.get_mut("data")
                && !data.is_empty()
            {
                let key = data
                    .keys()
                    .nth(at.index(data.len()))
                    .cloned()
                    .unwrap_or_default();
                data.insert(key, replacement);
            }
            example
        },
    )
}

fn envelope() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        prop::option::of(any_json()),
        prop::option::of(any_json()),
    )
        .prop_map(|(success, data, error)| {
            let mut m = Map::new();
            m.insert("success".into(), Value::Bool(success));
            if let Some(d) = data {
                m.insert("data".into(), d);
            }
            if let Some(e) = error {
                m.insert("error".into(), e);
            }
            Value::Object(m)
        })
}

const CASES: u32 = 1500;

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..4096), start in any::<usize>()) {
        decode_some(&body, start);
    }

    #[test]
    fn arbitrary_json_never_panics(v in any_json(), start in any::<usize>()) {
        decode_some(v.to_string().as_bytes(), start);
    }

    #[test]
    fn arbitrary_envelopes_never_panic(v in envelope(), start in any::<usize>()) {
        decode_some(v.to_string().as_bytes(), start);
    }

    #[test]
    fn mutated_examples_never_panic(v in mutated_example(), start in any::<usize>()) {
        decode_some(v.to_string().as_bytes(), start);
    }
}

#[test]
fn pathological_bodies_are_errors() {
    let deep_list = "[".repeat(200_000);
    let deep_data = format!(
        "{{\"success\":true,\"data\":{}}}",
        "{\"a\":".repeat(100_000)
    );
    // Sizes that prove the point (far past any real value) at a bounded cost: every one of
    // the hundreds of distinct decoders reads each body once.
    let huge_number = format!(
        "{{\"success\":true,\"data\":{{\"total\":{}}}}}",
        "9".repeat(20_000)
    );
    let long_string = format!(
        "{{\"success\":false,\"error\":{{\"code\":\"{}\"}}}}",
        "1".repeat(200_000)
    );
    let mut decodes = decode_everywhere(huge_number.as_bytes()); // fine for methods without data
    for body in [deep_list, deep_data, long_string] {
        for meta in sample() {
            let result = (meta.decode_json)(meta, body.as_bytes());
            decodes += 1;
            assert!(
                result.is_err(),
                "{} {} accepted garbage",
                meta.api.name,
                meta.name
            );
        }
    }
    let decoders = methods().len();
    assert_eq!(decodes, decoders + 3 * sample().count());
    eprintln!(
        "hostile input: {} property cases x {} of {decoders} distinct decoders = {} decodes, plus {decodes} pathological",
        4 * CASES,
        WINDOW.min(decoders),
        4 * CASES as usize * WINDOW.min(decoders)
    );
}
