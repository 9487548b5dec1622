//! Parameters of methods with a builder, and of imported methods.

use super::*;

// Parameters of methods with a builder.

#[test]
fn optional_param_added() {
    let new = demo(
        VERBOSE,
        &format!("{VERBOSE}          sort: {{ type: string, description: Sort key }}\n"),
    );
    check(
        &base(),
        &new,
        Rule::OptionalParamAdded,
        "parameter sort added (setter `sort`)",
    );
}

#[test]
fn required_param_added() {
    let new = demo(
        DELETE_PARAMS,
        &format!(
            "{DELETE_PARAMS}\n          force: {{ type: bool, required: true, example: true, description: Force }}"
        ),
    );
    check(
        &base(),
        &new,
        Rule::RequiredParamAdded,
        "method Delete: parameter force added",
    );
}

#[test]
fn optional_param_removed() {
    check(
        &base(),
        &demo(VERBOSE, ""),
        Rule::OptionalParamRemoved,
        "parameter verbose removed (setter `verbose`)",
    );
}

#[test]
fn required_param_removed() {
    let new = demo(
        "          owner: { type: string, required: true, example: ann, description: Owner }\n",
        "",
    );
    check(
        &base(),
        &new,
        Rule::RequiredParamRemoved,
        "method List: parameter owner removed",
    );
}

#[test]
fn param_became_required() {
    let new = demo(
        VERBOSE,
        "          verbose: { type: bool, required: true, example: true, description: More detail }\n",
    );
    check(
        &base(),
        &new,
        Rule::ParamBecameRequired,
        "parameter verbose is now required",
    );
}

#[test]
fn param_became_optional() {
    let new = demo(
        "owner: { type: string, required: true, example: ann,",
        "owner: { type: string, example: ann,",
    );
    check(
        &base(),
        &new,
        Rule::ParamBecameOptional,
        "parameter owner is now optional",
    );
}

#[test]
fn param_type_changed() {
    let new = demo(
        DELETE_PARAMS,
        &DELETE_PARAMS.replace(
            "i64, required: true, example: 1",
            "string, required: true, example: x",
        ),
    );
    check(
        &base(),
        &new,
        Rule::ParamTypeChanged,
        "parameter id: type i64 is now string",
    );
}

#[test]
fn required_params_reordered() {
    let owner =
        "          owner: { type: string, required: true, example: ann, description: Owner }\n";
    let id = "          id: { type: i64, required: true, example: 1, description: ID }\n          offset";
    let new = demo(
        &format!("{owner}{id}"),
        &format!(
            "{}{owner}          offset",
            &id[..id.len() - "          offset".len()]
        ),
    );
    check(
        &base(),
        &new,
        Rule::RequiredParamsReordered,
        "method List: required parameters in another order",
    );
}

#[test]
fn required_params_swapped() {
    let owner =
        "          owner: { type: string, required: true, example: ann, description: Owner }\n";
    let id = "          id: { type: i64, required: true, example: 1, description: ID }\n";
    let group =
        "          group: { type: string, required: true, example: staff, description: Group }\n";
    let old = demo(&format!("{owner}{id}"), &format!("{owner}{id}{group}"));
    let new = demo(&format!("{owner}{id}"), &format!("{group}{id}{owner}"));
    check(
        &old,
        &new,
        Rule::RequiredParamsSwapped,
        "method List: required parameters (owner, id, group) are now (group, id, owner)",
    );
    // One renamed while another moves into its place: one line says both.
    let user =
        "          user: { type: string, required: true, example: bob, description: User }\n";
    let new = demo(&format!("{owner}{id}"), &format!("{group}{id}{user}"));
    let d = check(
        &old,
        &new,
        Rule::RequiredParamsSwapped,
        "(owner, id, group) are now (group, id, user)",
    );
    assert_eq!(d.changes.len(), 1, "{d}");
}

#[test]
fn positional_param_renamed() {
    let new = demo(
        DELETE_PARAMS,
        &DELETE_PARAMS.replace("          id:", "          item_id:"),
    );
    check(
        &base(),
        &new,
        Rule::PositionalParamRenamed,
        "parameter id is now item_id, in its place (flag `--id` is now `--item-id`)",
    );
}

#[test]
fn param_encoding_changed() {
    let new = demo(
        VERBOSE,
        "          verbose: { type: bool, encoding: yes_no, description: More detail }\n",
    );
    check(
        &base(),
        &new,
        Rule::ParamEncodingChanged,
        "parameter verbose: encoding Plain is now YesNo",
    );
}

#[test]
fn param_secret_changed() {
    let new = demo(
        "example: ann, description: Owner",
        "example: ann, secret: true, description: Owner",
    );
    check(
        &base(),
        &new,
        Rule::ParamSecretChanged,
        "parameter owner: secret false is now true",
    );
}

#[test]
fn const_param_changed() {
    let new = demo(
        DELETE_PARAMS,
        &format!("{DELETE_PARAMS}\n          format: {{ const: sid, description: Always sid }}"),
    );
    check(
        &base(),
        &new,
        Rule::ConstParamChanged,
        "method Delete: constant parameters",
    );
}

const VERBOSE_V2: &str =
    "          verbose: { type: bool, min_version: 2, description: More detail }\n";

#[test]
fn param_versions_widened() {
    check(
        &demo(VERBOSE, VERBOSE_V2),
        &base(),
        Rule::ParamVersionsWidened,
        "parameter verbose: version 2+ is now 1+ (gains 1)",
    );
}

#[test]
fn param_versions_narrowed() {
    check(
        &base(),
        &demo(VERBOSE, VERBOSE_V2),
        Rule::ParamVersionsNarrowed,
        "parameter verbose: version 1+ is now 2+ (loses 1)",
    );
}

#[test]
fn imported_param_changed() {
    let new = edit(
        &base(),
        "dsm/demo.yaml",
        "limit: { type: i64,",
        "limit: { type: string,",
    );
    let new = edit(
        &new,
        "dsm/demo.yaml",
        "        params:\n",
        "        params:\n          sort: { type: string, description: Sort key }\n",
    );
    check(
        &base(),
        &new,
        Rule::ImportedParamChanged,
        "method list: known parameters: sort added, limit changed",
    );
}
