//! Tests of the importer's building blocks on small inputs made here, no fixtures needed: the
//! types inferred from a response schema (leniently, wide objects as maps, names that do not
//! collide), method versions as the spec reads them, and pinned names that survive a later
//! import.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::build::{Versions, versions};
use super::names::TypeNames;
use super::schema::{Inference, MAX_FIELDS, Ty};
use super::*;

/// The types inferred from `schema` at the root, and the structs named.
fn infer(schema: Value) -> (Option<Ty>, Vec<super::schema::Struct>) {
    let mut names = TypeNames::new(["Taken".to_owned()], &BTreeMap::new());
    let mut i = Inference::new(&mut names, "SYNO.X.Y get".into());
    let ty = i.root(&schema, "XYGet");
    (ty, i.structs)
}

fn field_types(s: &super::schema::Struct) -> Vec<(String, String)> {
    s.fields
        .iter()
        .map(|f| (f.wire.clone(), f.ty.to_string()))
        .collect()
}

#[test]
fn types_are_inferred_leniently() {
    let (ty, structs) = infer(json!({"type": "object", "properties": {
        "count": {"type": "integer"},
        "ratio": {"type": "number"},
        "name": {"type": "string"},
        "on": {"type": "boolean"},
        "nothing": {"type": "null"},
        "either": {"type": ["integer", "string"]},
        "maybe": {"type": ["boolean", "null"]},
        "empty_list": {"type": "array"},
        "empty_items": {"type": "array", "items": {}},
        "tags": {"type": "array", "items": {"type": "string"}},
        "volumes": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}}}},
        "owner": {"type": "object", "properties": {"uid": {"type": "integer"}, "passwd": {"type": "string"}}},
        "blank": {"type": "object"},
        "odd_keys": {"type": "object", "properties": {"a-b": {"type": "string"}}},
        "digits": {"type": "object", "properties": {"1": {"type": "string"}}},
        "clash": {"type": "object", "properties": {"fooBar": {"type": "string"}, "foo_bar": {"type": "string"}}},
        "by_name": {"type": "object", "additionalProperties": {"type": "object", "properties": {"size": {"type": "integer"}}}},
        "any": {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    }}));
    assert_eq!(ty, Some(Ty::Named("XYGet".into())));
    let by_name: BTreeMap<&str, &super::schema::Struct> =
        structs.iter().map(|s| (s.name.as_str(), s)).collect();
    let root: BTreeMap<String, String> = field_types(by_name["XYGet"]).into_iter().collect();
    let want = [
        ("count", "i64"),
        ("ratio", "f64"),
        ("name", "string"),
        ("on", "bool"),
        ("nothing", "json"),
        ("either", "json"),
        ("maybe", "bool"),
        ("empty_list", "json"),
        ("empty_items", "json"),
        ("tags", "list<string>"),
        ("volumes", "list<XYGetVolume>"),
        ("owner", "XYGetOwner"),
        ("blank", "json"),
        ("odd_keys", "map<json>"),
        ("digits", "map<json>"),
        ("clash", "map<json>"),
        ("by_name", "map<XYGetByNameValue>"),
        ("any", "json"),
    ];
    for (field, ty) in want {
        assert_eq!(root[field], ty, "{field}");
    }
    assert_eq!(
        field_types(by_name["XYGetVolume"]),
        [("id".to_owned(), "i64".to_owned())]
    );
    let owner = by_name["XYGetOwner"];
    assert!(owner.fields.iter().any(|f| f.wire == "passwd" && f.secret));
    assert!(by_name.contains_key("XYGetByNameValue"));
    assert_eq!(structs.len(), 4);
}

#[test]
fn wide_objects_are_maps_and_names_do_not_collide() {
    let wide: serde_json::Map<String, Value> = (0..=MAX_FIELDS)
        .map(|i| (format!("f{i}"), json!({"type": "integer"})))
        .collect();
    assert_eq!(
        infer(json!({"type": "object", "properties": wide})).0,
        Some(Ty::Map(Box::new(Ty::Json)))
    );
    let mut names = TypeNames::new(["XYGet".to_owned()], &BTreeMap::new());
    let mut i = Inference::new(&mut names, "SYNO.X.Y get".into());
    let s = json!({"type": "object", "properties": {"a": {"type": "integer"}}});
    assert_eq!(i.root(&s, "XYGet"), Some(Ty::Named("XYGet2".into())));
    assert_eq!(i.root(&s, "XYGet"), Some(Ty::Named("XYGet3".into())));
    // Only an object with something in it gives a response type.
    assert_eq!(
        infer(json!({"type": "array", "items": {"type": "string"}})).0,
        None
    );
    assert_eq!(infer(json!({"type": "object"})).0, None);
    assert_eq!(infer(json!({"type": "boolean"})).0, None);
}

#[test]
fn method_versions_are_written_as_the_spec_reads_them() {
    let set = |v: &[u32]| v.iter().copied().collect::<BTreeSet<u32>>();
    assert_eq!(versions(&set(&[1, 2, 3]), 1, 3), Some(Versions::All));
    assert_eq!(versions(&set(&[2, 3]), 1, 3), Some(Versions::From(2)));
    assert_eq!(
        versions(&set(&[1, 3]), 1, 3),
        Some(Versions::Set(vec![1, 3]))
    );
    assert_eq!(versions(&set(&[1]), 1, 2), Some(Versions::Set(vec![1])));
    assert_eq!(versions(&set(&[1, 2]), 2, 2), Some(Versions::All));
    assert_eq!(versions(&set(&[1]), 2, 2), None);
}

/// `SYNO.Demo.<api>`, or `SYNO.Demo` for `""`.
fn demo_api(api: &str) -> String {
    if api.is_empty() {
        "SYNO.Demo".to_owned()
    } else {
        format!("SYNO.Demo.{api}")
    }
}

/// A small declaration: `SYNO.Demo.<api>` at `path` with `methods` in version 1.
fn demo_inputs(apis: &[(&str, &str, &[&str])], schemas: &[(&str, &str, Value)]) -> input::Inputs {
    let mut inputs = input::Inputs::default();
    for (api, path, methods) in apis {
        inputs.apis.insert(
            demo_api(api),
            input::DeclApi {
                lib: None,
                min: 1,
                max: 1,
                path: (*path).to_owned(),
                json: false,
                methods: methods
                    .iter()
                    .map(|m| ((*m).to_owned(), BTreeSet::from([1])))
                    .collect(),
            },
        );
    }
    for (api, method, schema) in schemas {
        inputs
            .schemas
            .insert((demo_api(api), (*method).to_owned()), schema.clone());
    }
    inputs
}

fn type_names(import: &build::Import) -> BTreeSet<String> {
    import.families["Demo"]
        .types
        .iter()
        .map(|t| t.name.clone())
        .collect()
}

#[test]
fn pinned_names_survive_a_later_import() {
    let object = json!({"type": "object", "properties": {"a": {"type": "integer"}}});
    let hand = input::HandWritten::default();
    // First import: `Widget get` answers a `DemoWidgetGet`; `GetInfo` and `getInfo` clash.
    let first = demo_inputs(
        &[(
            "Widget",
            "AudioStation/widget.cgi",
            &["get", "GetInfo", "getInfo"],
        )],
        &[("Widget", "get", object.clone())],
    );
    let one = build::build(&first, &hand, &pins::Pins::default()).unwrap();
    assert_eq!(
        type_names(&one),
        BTreeSet::from(["DemoWidgetGet".to_owned()])
    );
    let methods = &one.families["Demo"].apis[0].methods;
    let rust: BTreeMap<&str, Option<&str>> = methods
        .iter()
        .map(|m| (m.wire.as_str(), m.rust_name.as_deref()))
        .collect();
    assert_eq!(
        rust,
        BTreeMap::from([
            ("GetInfo", Some("get_info")),
            ("get", None),
            ("getInfo", Some("get_info_2"))
        ]),
        "a subfolder path is imported; names that clash are all kept and pinned"
    );
    let pinned = pins::Pins::parse("pins", &one.pins.render()).unwrap();
    assert_eq!(pinned, one.pins);
    assert_eq!(pinned.families["Demo"], "demo");

    // Later, DSM adds the family-level `SYNO.Demo` `widgetGet` (named first, its answer's
    // base name is `DemoWidgetGet` too) and a method `get_info` (whose wire name is already
    // snake_case, so the rule alone would give it `get_info`).
    let later = demo_inputs(
        &[
            (
                "Widget",
                "AudioStation/widget.cgi",
                &["get", "GetInfo", "getInfo", "get_info"],
            ),
            ("", "entry.cgi", &["widgetGet"]),
        ],
        &[
            ("Widget", "get", object.clone()),
            ("", "widgetGet", object.clone()),
        ],
    );
    let fresh = build::build(&later, &hand, &pins::Pins::default()).unwrap();
    let kept = build::build(&later, &hand, &pinned).unwrap();
    let rust_of = |import: &build::Import, wire: &str| {
        import.families["Demo"]
            .apis
            .iter()
            .find(|a| a.name == "SYNO.Demo.Widget")
            .unwrap()
            .methods
            .iter()
            .find(|m| m.wire == wire)
            .and_then(|m| m.rust_name.clone())
    };
    assert_eq!(
        rust_of(&fresh, "GetInfo").as_deref(),
        Some("get_info_2"),
        "the rule alone renames"
    );
    assert_eq!(rust_of(&kept, "GetInfo").as_deref(), Some("get_info"));
    assert_eq!(rust_of(&kept, "getInfo").as_deref(), Some("get_info_2"));
    assert_eq!(rust_of(&kept, "get_info").as_deref(), Some("get_info_3"));
    let widget_get = pins::type_key("SYNO.Demo.Widget", "get", "data");
    let demo_widget_get = pins::type_key("SYNO.Demo", "widgetGet", "data");
    assert_eq!(
        fresh.pins.types[&widget_get], "DemoWidgetGet2",
        "the rule alone renames"
    );
    assert_eq!(kept.pins.types[&widget_get], "DemoWidgetGet");
    assert_eq!(kept.pins.types[&demo_widget_get], "DemoWidgetGet2");
    assert_eq!(
        type_names(&kept),
        BTreeSet::from(["DemoWidgetGet".to_owned(), "DemoWidgetGet2".to_owned()])
    );
    // A pin that is gone from the inputs stays, and so its name stays reserved.
    let gone = build::build(
        &demo_inputs(&[("Other", "entry.cgi", &["get"])], &[]),
        &hand,
        &pinned,
    )
    .unwrap();
    assert_eq!(gone.pins.types, pinned.types);

    // A family module the rule no longer gives is refused, not renamed.
    let mut moved = pinned.clone();
    moved.families.insert("Demo".into(), "dsm_demo".into());
    let err = build::build(&first, &hand, &moved).unwrap_err().to_string();
    assert!(
        err.contains("family `Demo` is pinned as module `dsm_demo`"),
        "{err}"
    );
}
