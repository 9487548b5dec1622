//! Families, cargo features, APIs, error tables and methods.

use super::*;

// Families and features.

#[test]
fn family_added() {
    check(
        &without(&base(), "alpha.yaml"),
        &base(),
        Rule::FamilyAdded,
        "client.alpha()",
    );
}

#[test]
fn family_removed() {
    check(
        &base(),
        &without(&base(), "alpha.yaml"),
        Rule::FamilyRemoved,
        "client.alpha()",
    );
}

#[test]
fn feature_added() {
    let old = without(&base(), "dsm/demo.yaml");
    check(&old, &base(), Rule::FeatureAdded, "feature demo-all  added");
}

#[test]
fn feature_removed() {
    let new = without(&base(), "dsm/demo.yaml");
    check(
        &base(),
        &new,
        Rule::FeatureRemoved,
        "feature demo-all  removed",
    );
}

/// Zeta gains a method that answers Demo's `Item`: its feature turns on `demo`. (A family
/// sorted before `demo` would take `Item` home: see `type_moved`.)
const ZETA_USES_ITEM: &str = "        description: Gets a thing.\n      GetItem:\n        http: GET\n        description: Gets an item.\n        response: Item\n";

#[test]
fn feature_now_enables() {
    let new = edit(
        &base(),
        "zeta.yaml",
        "        description: Gets a thing.\n",
        ZETA_USES_ITEM,
    );
    check(
        &base(),
        &new,
        Rule::FeatureNowEnables,
        "feature zeta  now turns on `demo`",
    );
}

#[test]
fn feature_no_longer_enables() {
    let old = edit(
        &base(),
        "zeta.yaml",
        "        description: Gets a thing.\n",
        ZETA_USES_ITEM,
    );
    check(
        &old,
        &base(),
        Rule::FeatureNoLongerEnables,
        "feature zeta  no longer turns on `demo`",
    );
}

const GADGET_INFO: &str = "  GadgetInfo:\n    description: A gadget.\n    fields:\n      model: { type: string, optional: true, description: Model }\n";

#[test]
fn gate_loosened() {
    let new = edit(
        &base(),
        "dsm/demo.yaml",
        &format!("types:\n{GADGET_INFO}"),
        "",
    );
    let new = edit(
        &new,
        "demo.yaml",
        "types:\n",
        &format!("types:\n{GADGET_INFO}"),
    );
    check(
        &base(),
        &new,
        Rule::GateLoosened,
        "type moves from feature `demo-all` to `demo`",
    );
}

#[test]
fn gate_tightened() {
    let old = edit(
        &base(),
        "dsm/demo.yaml",
        &format!("types:\n{GADGET_INFO}"),
        "",
    );
    let old = edit(
        &old,
        "demo.yaml",
        "types:\n",
        &format!("types:\n{GADGET_INFO}"),
    );
    check(
        &old,
        &base(),
        Rule::GateTightened,
        "type moves from feature `demo` to `demo-all`",
    );
}

// APIs.

const BOX_API: &str = "apis:\n  SYNO.Demo.Box:\n    description: Boxes.\n    path: entry.cgi\n    versions: { min: 1, max: 1 }\n    methods:\n      Open:\n        http: GET\n        description: Opens.\n";

#[test]
fn api_added() {
    check(
        &base(),
        &demo("apis:\n", BOX_API),
        Rule::ApiAdded,
        "demo().box_()",
    );
}

#[test]
fn api_removed() {
    check(
        &demo("apis:\n", BOX_API),
        &base(),
        Rule::ApiRemoved,
        "SYNO.Demo.Box",
    );
}

#[test]
fn api_versions_widened() {
    let new = demo(
        "versions: { min: 1, max: 2 }",
        "versions: { min: 1, max: 3 }",
    );
    check(
        &base(),
        &new,
        Rule::ApiVersionsWidened,
        "API versions 1-2 are now 1-3 (gains 3)",
    );
}

#[test]
fn api_versions_narrowed() {
    let new = demo(
        "versions: { min: 1, max: 2 }",
        "versions: { min: 2, max: 2 }",
    );
    let d = check(&base(), &new, Rule::ApiVersionsNarrowed, "(loses 1)");
    // The methods' implied versions follow the API's: the API's line says it once.
    assert_eq!(d.changes.len(), 1, "{d}");
}

#[test]
fn path_changed() {
    let new = demo(
        "    path: entry.cgi\n    versions: { min: 1, max: 2 }",
        "    path: demo.cgi\n    versions: { min: 1, max: 2 }",
    );
    check(
        &base(),
        &new,
        Rule::PathChanged,
        "path `entry.cgi` is now `demo.cgi`",
    );
}

#[test]
fn request_format_changed() {
    let new = demo(
        "    path: entry.cgi\n    versions: { min: 1, max: 2 }",
        "    path: entry.cgi\n    request_format: json\n    versions: { min: 1, max: 2 }",
    );
    let d = check(
        &base(),
        &new,
        Rule::RequestFormatChanged,
        "request format form is now json",
    );
    // The parameters follow: the one line says it.
    assert_eq!(d.changes.len(), 1, "{d}");
}

// Error tables.

#[test]
fn error_kind_added() {
    let new = demo(
        "      - { code: 400, name: ItemBusy, description: The item is busy }\n",
        "      - { code: 400, name: ItemBusy, description: The item is busy }\n      - { code: 401, name: ItemGone, description: Gone }\n",
    );
    check(
        &base(),
        &new,
        Rule::ErrorKindAdded,
        "variant ItemGone added",
    );
}

#[test]
fn error_kind_removed() {
    let new = demo("code: 400, name: ItemBusy", "code: 400, name: Busy");
    check(
        &base(),
        &new,
        Rule::ErrorKindRemoved,
        "variant ItemBusy removed",
    );
}

#[test]
fn error_code_changed() {
    let new = demo("code: 400, name: ItemBusy", "code: 401, name: ItemBusy");
    check(
        &base(),
        &new,
        Rule::ErrorCodeChanged,
        "error code 401 (ItemBusy) added",
    );
}

// Methods.

const GET_METHOD: &str = "    methods:\n      Get:\n        http: GET\n        description: Gets an item.\n        response: Item\n";

#[test]
fn method_added() {
    let new = demo("    methods:\n", GET_METHOD);
    check(
        &base(),
        &new,
        Rule::MethodAdded,
        "method Get added (`demo().item().get()`)",
    );
}

#[test]
fn method_removed() {
    let old = demo("    methods:\n", GET_METHOD);
    check(
        &old,
        &base(),
        Rule::MethodRemoved,
        "method Get removed (`demo().item().get()`)",
    );
}

#[test]
fn method_renamed() {
    let new = edit(
        &base(),
        "dsm/demo.yaml",
        "http: GET }",
        "http: GET, rust_name: fetch_info }",
    );
    check(
        &base(),
        &new,
        Rule::MethodRenamed,
        "`demo().item().get_info()` is now `demo().item().fetch_info()`",
    );
}

#[test]
fn method_form_changed() {
    let new = edit(
        &base(),
        "dsm/demo.yaml",
        "      get_info: { description: Gets details., http: GET }\n",
        "",
    );
    let new = edit(
        &new,
        "dsm/demo.yaml",
        "  SYNO.Demo.Item:\n    methods:\n",
        "",
    );
    let promoted = "    methods:\n      get_info:\n        http: GET\n        description: Gets details.\n        response: json\n";
    let new = edit(&new, "demo.yaml", "    methods:\n", promoted);
    check(
        &base(),
        &new,
        Rule::MethodFormChanged,
        "method get_info moves from the light form (`Call<T>`) to a builder",
    );
}

#[test]
fn response_changed() {
    let new = demo(
        DELETE_PARAMS,
        &format!("{DELETE_PARAMS}\n        response: Item"),
    );
    check(
        &base(),
        &new,
        Rule::ResponseChanged,
        "method Delete: response nothing is now Item",
    );
}

const PAGINATION: &str =
    "        pagination: { offset: offset, limit: limit, items: items, total: total }\n";

#[test]
fn pagination_added() {
    check(
        &demo(PAGINATION, ""),
        &base(),
        Rule::PaginationAdded,
        "method List: `stream()` added",
    );
}

#[test]
fn pagination_removed() {
    check(
        &base(),
        &demo(PAGINATION, ""),
        Rule::PaginationRemoved,
        "method List: `stream()` removed",
    );
}

#[test]
fn pagination_item_changed() {
    let new = demo("items: items, total: total", "items: names, total: total");
    check(
        &base(),
        &new,
        Rule::PaginationItemChanged,
        "yields string instead of Item",
    );
}

#[test]
fn pagination_details_changed() {
    let new = demo("items: items, total: total", "items: items");
    check(
        &base(),
        &new,
        Rule::PaginationDetailsChanged,
        "method List: pagination",
    );
}

#[test]
fn method_versions_widened() {
    let old = demo(
        "description: Deletes an item.\n",
        "description: Deletes an item.\n        min_version: 2\n",
    );
    let d = check(
        &old,
        &base(),
        Rule::MethodVersionsWidened,
        "method Delete: version 2+ is now version 1+ (gains 1)",
    );
    // The parameters follow: the one line says it.
    assert_eq!(d.changes.len(), 1, "{d}");
}

#[test]
fn method_versions_narrowed() {
    let new = demo(
        "description: Deletes an item.\n",
        "description: Deletes an item.\n        versions: [1]\n",
    );
    check(
        &base(),
        &new,
        Rule::MethodVersionsNarrowed,
        "version 1+ is now version 1 only (loses 2)",
    );
}

#[test]
fn http_verb_changed() {
    let new = demo("        http: POST\n", "        http: GET\n");
    check(
        &base(),
        &new,
        Rule::HttpVerbChanged,
        "method Delete: HTTP POST is now GET",
    );
}

#[test]
fn session_changed() {
    let new = demo(
        "        http: POST\n",
        "        http: POST\n        session: false\n",
    );
    check(
        &base(),
        &new,
        Rule::SessionChanged,
        "method Delete: session true is now false",
    );
}
