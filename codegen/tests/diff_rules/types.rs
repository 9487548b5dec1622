//! Named types; wire names, docs, examples, mock data and runtime-only families.

use super::*;

// Types.

const FILTER_FIELDS: &str = "      owner: { type: string, description: Owner }\n";
const EXTRA: &str = "  Extra:\n    description: Extra.\n    fields:\n      note: { type: string, description: Note }\n";
const EXTRA_PARAM: &str = "          extra: { type: Extra, encoding: json, description: Extra }\n";

#[test]
fn type_added() {
    let new = demo("types:\n", &format!("types:\n{EXTRA}"));
    let new = edit(
        &new,
        "demo.yaml",
        VERBOSE,
        &format!("{VERBOSE}{EXTRA_PARAM}"),
    );
    check(&base(), &new, Rule::TypeAdded, "type Extra  added");
}

#[test]
fn type_removed() {
    let old = demo("types:\n", &format!("types:\n{EXTRA}"));
    let old = edit(
        &old,
        "demo.yaml",
        VERBOSE,
        &format!("{VERBOSE}{EXTRA_PARAM}"),
    );
    check(&old, &base(), Rule::TypeRemoved, "type Extra  removed");
}

#[test]
fn type_renamed() {
    let new = demo("  Kind:\n", "  ItemKind:\n");
    let new = edit(&new, "demo.yaml", "type: Kind,", "type: ItemKind,");
    check(
        &base(),
        &new,
        Rule::TypeRenamed,
        "type Kind  renamed `ItemKind`",
    );
}

#[test]
fn type_moved() {
    let new = edit(
        &base(),
        "alpha.yaml",
        "        description: Gets a thing.\n",
        "        description: Gets a thing.\n        params:\n          filter: { type: Filter, encoding: json, description: A filter }\n",
    );
    check(
        &base(),
        &new,
        Rule::TypeMoved,
        "moves from `demo::Filter` to `alpha::Filter`",
    );
}

/// Zeta's `Get` answers a `ZetaInfo`, which lives in `zeta`.
fn zeta_info() -> Files {
    let zeta = edit(
        &base(),
        "zeta.yaml",
        "apis:\n",
        "types:\n  ZetaInfo:\n    description: Info.\n    fields:\n      name: { type: string, description: Name }\n      note: { type: string, description: Note }\napis:\n",
    );
    edit(
        &zeta,
        "zeta.yaml",
        "Gets a thing.\n",
        "Gets a thing.\n        response: ZetaInfo\n",
    )
}

/// ... and the runtime-only `probe`, sorted before `zeta`, answers one too: public families
/// claim their types first, so it stays in `zeta` (a type a public method returns is never in
/// a crate-private module).
fn zeta_info_in_probe() -> Files {
    edit(
        &zeta_info(),
        "runtime.yaml",
        "description: Pings.\n",
        "description: Pings.\n        response: ZetaInfo\n",
    )
}

#[test]
fn a_runtime_method_using_a_public_type_leaves_it_where_it_is() {
    let d = run(&zeta_info(), &zeta_info_in_probe());
    assert!(
        d.changes
            .iter()
            .all(|c| c.level() != Level::Major && c.rule != Rule::TypeMoved),
        "{d}"
    );
    // Once no public method reaches it, it is the runtime's alone.
    let runtime_only = edit(
        &zeta_info_in_probe(),
        "zeta.yaml",
        "        response: ZetaInfo\n",
        "",
    );
    let d = check(
        &zeta_info_in_probe(),
        &runtime_only,
        Rule::TypeRemoved,
        "type ZetaInfo  crate-private now: only the runtime-only `probe` uses it",
    );
    assert!(d.has(Rule::ResponseChanged), "{d}");
    // And back: public again, where the public method's family is.
    let d = run(&runtime_only, &zeta_info_in_probe());
    let public = "type ZetaInfo  public now: a public method reaches it (`zeta::ZetaInfo`)";
    assert!(
        d.changes
            .iter()
            .any(|c| c.rule == Rule::TypeAdded && c.to_string().contains(public)),
        "{d}"
    );
}

#[test]
fn type_kind_changed() {
    let new = demo(
        "    enum: string\n    values:\n      - { value: file, description: A file }\n      - { value: dir, description: A directory }\n",
        "    enum: integer\n    values:\n      - { value: 0, name: File, description: A file }\n      - { value: 1, name: Dir, description: A directory }\n",
    );
    check(
        &base(),
        &new,
        Rule::TypeKindChanged,
        "type Kind  a string enum is now an integer enum",
    );
}

#[test]
fn response_field_added() {
    let new = demo(
        "      id: { type: i64, description: ID }\n",
        "      id: { type: i64, description: ID }\n      size: { type: u64, description: Size }\n",
    );
    check(
        &base(),
        &new,
        Rule::ResponseFieldAdded,
        "type Item  field size added",
    );
}

#[test]
fn param_struct_field_added() {
    let new = demo(
        FILTER_FIELDS,
        &format!(
            "{FILTER_FIELDS}      kind: {{ type: string, optional: true, description: Kind }}\n"
        ),
    );
    check(
        &base(),
        &new,
        Rule::ParamStructFieldAdded,
        "type Filter  field kind added",
    );
}

#[test]
fn field_removed() {
    let new = demo(
        "      token: { type: string, optional: true, description: Token }\n",
        "",
    );
    check(
        &base(),
        &new,
        Rule::FieldRemoved,
        "type Item  field token removed",
    );
}

#[test]
fn field_type_changed() {
    let new = demo(
        "      id: { type: i64, description: ID }\n",
        "      id: { type: u64, description: ID }\n",
    );
    check(
        &base(),
        &new,
        Rule::FieldTypeChanged,
        "field id: type i64 is now u64",
    );
}

#[test]
fn field_became_optional() {
    let new = demo(
        "name: { type: string, description: Name }",
        "name: { type: string, optional: true, description: Name }",
    );
    check(
        &base(),
        &new,
        Rule::FieldBecameOptional,
        "field name is now optional",
    );
}

#[test]
fn field_became_required() {
    let new = demo(
        "token: { type: string, optional: true,",
        "token: { type: string,",
    );
    check(
        &base(),
        &new,
        Rule::FieldBecameRequired,
        "field token is now required",
    );
}

#[test]
fn field_secret_changed() {
    let new = demo(
        "token: { type: string, optional: true,",
        "token: { type: string, optional: true, secret: true,",
    );
    check(
        &base(),
        &new,
        Rule::FieldSecretChanged,
        "field token: secret false is now true",
    );
}

const LIKE_PARAM: &str =
    "          like: { type: Item, encoding: json, description: Items like this one }\n";

#[test]
fn struct_now_constructible() {
    let new = demo(VERBOSE, &format!("{VERBOSE}{LIKE_PARAM}"));
    check(
        &base(),
        &new,
        Rule::StructNowConstructible,
        "type Item  loses `#[non_exhaustive]`",
    );
}

#[test]
fn struct_no_longer_constructible() {
    let old = demo(VERBOSE, &format!("{VERBOSE}{LIKE_PARAM}"));
    check(
        &old,
        &base(),
        Rule::StructNoLongerConstructible,
        "type Item  gains `#[non_exhaustive]`",
    );
}

const DIR: &str = "      - { value: dir, description: A directory }\n";

#[test]
fn enum_value_added() {
    let new = demo(
        DIR,
        &format!("{DIR}      - {{ value: link, description: A link }}\n"),
    );
    check(
        &base(),
        &new,
        Rule::EnumValueAdded,
        "type Kind  value link (Link) added",
    );
}

#[test]
fn enum_value_removed() {
    check(
        &base(),
        &demo(DIR, ""),
        Rule::EnumValueRemoved,
        "type Kind  value dir (Dir) removed",
    );
}

#[test]
fn enum_value_renamed() {
    let new = demo(
        "{ value: dir, description",
        "{ value: dir, name: Folder, description",
    );
    check(
        &base(),
        &new,
        Rule::EnumValueRenamed,
        "value dir: variant Dir is now Folder",
    );
}

// Wire names, docs, examples, mock data, runtime-only families.

#[test]
fn wire_name_changed() {
    let new = demo("      Delete:\n", "      delete:\n");
    let d = check(
        &base(),
        &new,
        Rule::WireNameChanged,
        "method delete was `Delete`",
    );
    let new = demo(
        "{ value: dir, description",
        "{ value: DIR, name: Dir, description",
    );
    check(
        &base(),
        &new,
        Rule::WireNameChanged,
        "variant Dir was `dir`, is `DIR`",
    );
    assert_eq!(d.count(Level::Patch), d.changes.len(), "{d}");
}

#[test]
fn docs_changed() {
    let new = demo(
        "description: Lists items.",
        "description: Lists every item.",
    );
    let new = edit(
        &new,
        "demo.yaml",
        "description: The item is busy",
        "description: Busy",
    );
    check(
        &base(),
        &new,
        Rule::DocsChanged,
        "method List: description or notes",
    );
}

#[test]
fn example_changed() {
    let new = demo(
        DELETE_PARAMS,
        &format!("{DELETE_PARAMS}\n        example: '{{\"success\": true}}'"),
    );
    check(
        &base(),
        &new,
        Rule::ExampleChanged,
        "method Delete: example",
    );
}

#[test]
fn mock_data_changed() {
    let mock =
        "mock_data:\n  SYNO.Demo.Item:\n    List:\n      dsm7: '{\"items\": [], \"total\": 0}'\n";
    check(
        &base(),
        &with(&base(), "mock.yaml", mock),
        Rule::MockDataChanged,
        "method List: mock data",
    );
}

#[test]
fn internal_changed() {
    let new = edit(
        &base(),
        "runtime.yaml",
        "description: Pings.",
        "description: Pings DSM.\n        session: false",
    );
    check(
        &base(),
        &new,
        Rule::InternalChanged,
        "SYNO.Probe.Ping  method ping: session true is now false",
    );
}
