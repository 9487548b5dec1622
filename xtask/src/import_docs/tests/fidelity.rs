//! What a page says is what its spec says: each test is a small page in the seeds' format
//! showing one thing the published doc set does, and the lines its import must (or must not)
//! write.

use super::*;

/// A page of `sections` (`## SYNO.*` and methods), with the seeds' header.
fn page(sections: &str) -> String {
    format!(
        "# Widgets\n\n**Category:** Testing\n\n---\n\n**Endpoint:** `/webapi/entry.cgi`\n\n---\n\n{sections}"
    )
}

/// A method section of `api`: its verb, parameters (lines after the runtime ones), JSON
/// answer, and anything after (tables, notes).
fn method(api: &str, name: &str, http: &str, params: &str, data: &str, rest: &str) -> String {
    format!(
        "#### Method: `{name}`\n\n**HTTP Method:** {http}\n\n**Parameters:**\n\
         - `api` (required): `{api}`\n- `version` (required): `1`\n\
         - `method` (required): `{name}`\n{params}- `_sid` (required): Session ID\n\n\
         **Response:**\n```json\n{{\"success\": true{data}}}\n```\n\n{rest}---\n\n"
    )
}

/// Imports one page; its YAML, or a panic with the report.
fn yaml_of(text: &str) -> (Outcome, String) {
    let import = import_pages(&[("w.md", text)]);
    let Some((_, outcome)) = import.pages.first() else {
        panic!("no page");
    };
    let Some((_, yaml)) = import.files.first() else {
        panic!("{}", import.report());
    };
    (outcome.clone(), yaml.clone())
}

/// Asserts that `yaml` has each of `lines` (whole lines, trimmed).
fn has(yaml: &str, lines: &[&str]) {
    for l in lines {
        assert!(
            yaml.lines().any(|y| y.trim() == *l),
            "no line {l:?} in\n{yaml}"
        );
    }
}

/// The `data` of a list answer: one widget and a total.
const LIST: &str = ", \"data\": {\"widgets\": [{\"id\": 1}], \"total\": 1}";

/// `(default: -1 = all)` keeps its value as the default (so the type is an integer and the
/// method pages) and its meaning in the description; was: `string`, no default, no paging.
#[test]
fn a_default_that_says_what_it_means_keeps_both() {
    use super::super::params::split_default;
    let params = "- `offset` (optional): Starting index (default: 0)\n\
                  - `limit` (optional): Max results (default: -1 = all)\n\
                  - `speed` (optional): Speed (1-5, default: 3 = normal)\n";
    let text = page(&format!(
        "## SYNO.Demo.Widget\n\n{}",
        method("SYNO.Demo.Widget", "list", "GET", params, LIST, "")
    ));
    let (_, yaml) = yaml_of(&text);
    has(
        &yaml,
        &[
            r#"limit: { type: "i64", default: -1, description: "Max results (-1 = all)" }"#,
            r#"speed: { type: "i64", default: 3, description: "Speed (1-5; 3 = normal)" }"#,
            "pagination: { offset: offset, limit: limit, items: widgets, total: total }",
        ],
    );
    assert_eq!(
        split_default("Max (default: 0 = all)"),
        ("Max (0 = all)".into(), Some("0".into()))
    );
    assert_eq!(
        split_default("Max (default: a b = c)"),
        ("Max (default: a b = c)".into(), None)
    );
}

/// A required parameter given as one value (`` `serv_type` (required): `pptp` ``, as `api`
/// is given) is a constant, always sent; was: a free `string` the caller had to fill.
#[test]
fn a_parameter_given_as_one_value_is_a_constant() {
    let params = "- `serv_type` (required): `pptp`\n- `name` (required): `a` or `b`\n";
    let text = page(&format!(
        "## SYNO.Demo.Widget\n\n{}",
        method("SYNO.Demo.Widget", "load", "GET", params, "", "")
    ));
    let (_, yaml) = yaml_of(&text);
    has(
        &yaml,
        &[
            r#"serv_type: { const: "pptp", description: "Always `pptp`: the page gives this one value." }"#,
            r#"name: { type: "string", required: true, description: "`a` or `b`" }"#,
        ],
    );
}

/// A `limit` of words only beside an integer `offset` is an integer, and `start` pages like
/// `offset`; was: `limit` a `string` and no pagination.
#[test]
fn a_limit_beside_an_integer_offset_or_start_pages() {
    let with_offset = "- `offset` (optional): Starting index (default: 0)\n\
                       - `limit` (optional): Max results\n";
    let with_start = "- `start` (optional): Starting index (default: 0)\n\
                      - `limit` (optional): Max results (default: 50)\n";
    let text = page(&format!(
        "## SYNO.Demo.Widget\n\n{}{}",
        method("SYNO.Demo.Widget", "list", "GET", with_offset, LIST, ""),
        method("SYNO.Demo.Widget", "enum", "GET", with_start, LIST, "")
    ));
    let (_, yaml) = yaml_of(&text);
    has(
        &yaml,
        &[
            r#"limit: { type: "i64", description: "Max results" }"#,
            "pagination: { offset: offset, limit: limit, items: widgets, total: total }",
            "pagination: { offset: start, limit: limit, items: widgets, total: total }",
        ],
    );
}

/// Descriptions that name a boolean's two values or a Unix time type the parameter; was:
/// `string`.
#[test]
fn true_false_and_unix_time_in_words_type_a_parameter() {
    let params = "- `enable` (required): Enable status (true/false)\n\
                  - `from` (optional): Modified after (Unix timestamp)\n\
                  - `note` (optional): Not the truest of notes\n";
    let text = page(&format!(
        "## SYNO.Demo.Widget\n\n{}",
        method("SYNO.Demo.Widget", "set", "POST", params, "", "")
    ));
    let (_, yaml) = yaml_of(&text);
    has(
        &yaml,
        &[
            r#"enable: { type: "bool", required: true, description: "Enable status (true/false)" }"#,
            r#"from: { type: "UnixTime", description: "Modified after (Unix timestamp)" }"#,
            r#"note: { type: "string", description: "Not the truest of notes" }"#,
        ],
    );
}

/// A file sent as `multipart/form-data` cannot be described: an optional file parameter is
/// left out, a method that needs one is left out, an API left without methods goes with
/// them, and the page imports the rest, each reported at its line; was: a file as a
/// `string` parameter, or the whole page refused.
#[test]
fn file_uploads_are_left_out_and_reported() {
    let optional = "- `uri` (optional): URL\n- `file` (optional): Torrent (multipart/form-data)\n";
    let required = "- `key` (required): Key file (multipart/form-data)\n";
    let text = page(&format!(
        "## SYNO.Demo.Widget\n\n{}{}\n## SYNO.Demo.Upload\n\n{}{}",
        method("SYNO.Demo.Widget", "create", "POST", optional, "", ""),
        method("SYNO.Demo.Widget", "import", "POST", required, "", ""),
        method(
            "SYNO.Demo.Upload",
            "upload",
            "POST (multipart/form-data)",
            "",
            "",
            ""
        ),
        "#### Method: `empty`\n\n"
    ));
    let line = |s: &str| text.lines().position(|l| l.contains(s)).unwrap() + 1;
    let (outcome, yaml) = yaml_of(&text);
    let Outcome::Imported(_, counts, left_out) = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(counts, [1, 1, 0]);
    let upload = "a method that uploads a file (multipart/form-data), which the spec cannot send";
    assert_eq!(
        left_out,
        [
            (
                line("`file`"),
                "a file parameter (multipart/form-data), which the spec cannot send"
            ),
            (line("`import`"), upload),
            (line("`upload`"), upload),
            (
                line("`empty`"),
                "an empty method section (a heading and nothing else)"
            ),
        ]
    );
    assert!(!yaml.contains("file:") && !yaml.contains("SYNO.Demo.Upload"));
    has(&yaml, &[r#"uri: { type: "string", description: "URL" }"#]);
    // Each kind of thing left out is reported once, with all its lines.
    let report = import_pages(&[("w.md", &text)]).report();
    assert_eq!(report.matches("left out a method that uploads").count(), 1);
    assert!(
        report.contains(&format!(
            "which the spec cannot send at lines {}, {}",
            line("`import`"),
            line("`upload`")
        )),
        "{report}"
    );
}

/// Another method's table describes a field only in the same place (a `Get` at the data
/// root also takes a `List` element's rows); was: `files[].path` described as the table's
/// `shares[].path` ("Share path"), a stream's `id` as its camera's.
#[test]
fn another_table_describes_only_fields_in_the_same_place() {
    let table = "**Response Fields:**\n\n| Field | Type | Description |\n|---|---|---|\n\
                 | `path` | string | Share path |\n| `id` | integer | Share ID |\n\n";
    let text = page(&format!(
        "## SYNO.Demo.Widget\n\n{}{}{}",
        method(
            "SYNO.Demo.Widget",
            "list_share",
            "GET",
            "",
            ", \"data\": {\"shares\": [{\"path\": \"/a\", \"id\": 1}]}",
            table
        ),
        method(
            "SYNO.Demo.Widget",
            "list",
            "GET",
            "",
            ", \"data\": {\"files\": [{\"path\": \"/a/b\", \"streams\": [{\"id\": 2}]}]}",
            ""
        ),
        method(
            "SYNO.Demo.Widget",
            "get",
            "GET",
            "",
            ", \"data\": {\"path\": \"/a\", \"id\": 1}",
            ""
        )
    ));
    let (_, yaml) = yaml_of(&text);
    let undescribed = "description: \"Not described by the documentation (seen in the example).\"";
    has(
        &yaml,
        &[
            &format!(r#"path: {{ type: "string", {undescribed} }}"#),
            &format!(r#"id: {{ type: "i64", {undescribed} }}"#),
            r#"path: { type: "string", description: "Share path" }"#,
            r#"id: { type: "i64", description: "Share ID" }"#,
        ],
    );
    // `get` (the data root) borrows from `shares` elements; `files` and `streams` do not.
    let get = yaml.split("  WidgetGet:").nth(1).unwrap_or_default();
    assert!(
        get.contains("Share path") && get.contains("Share ID"),
        "{yaml}"
    );
    let files = yaml.split("  WidgetListFile:").nth(1).unwrap_or_default();
    let files = files.split("  WidgetGet:").next().unwrap_or_default();
    assert!(!files.contains("Share"), "{yaml}");
}

/// Sections `` `control` (play) `` and `` `control` (stop) `` that differ only in the
/// constant value of one required parameter are one method whose parameter takes either
/// value, notes joined; sections that differ in more are refused; was: the page refused.
#[test]
fn sections_of_one_method_differing_in_one_constant_merge() {
    let section = |label: &str, notes: &str| {
        method(
            "SYNO.Demo.Player",
            "control",
            "POST",
            &format!("- `id` (required): Player ID\n- `action` (required): `{label}`\n"),
            "",
            notes,
        )
        .replacen("`control`", &format!("`control` ({label})"), 1)
    };
    let text = page(&format!(
        "## SYNO.Demo.Player\n\n{}{}",
        section("play", ""),
        section("stop", "**Notes:**\n- Actions: `play`, `stop`\n\n")
    ));
    let (outcome, yaml) = yaml_of(&text);
    assert!(
        matches!(outcome, Outcome::Imported(_, [1, 1, 0], _)),
        "{outcome:?}"
    );
    has(
        &yaml,
        &[
            r#"action: { type: "string", required: true, example: "play", description: "One of `play`, `stop`: the page documents each value in a section of its own" }"#,
            r#"- "Actions: `play`, `stop`""#,
        ],
    );
    assert_eq!(yaml.matches("      control:").count(), 1);
    // Another parameter differs too: refused at the second section.
    let other = section("stop", "").replace("Player ID", "Another ID");
    let text = page(&format!(
        "## SYNO.Demo.Player\n\n{}{other}",
        section("play", "")
    ));
    let report = import_pages(&[("w.md", &text)]).report();
    let at = text.lines().position(|l| l.contains("(stop)")).unwrap() + 1;
    assert!(
        report.contains(&format!(
            "refused  w.md:{at}: method `control` has sections that differ in their parameters"
        )),
        "{report}"
    );
    // One labelled section alone, or a label no parameter carries, is refused too.
    for text in [
        page(&format!("## SYNO.Demo.Player\n\n{}", section("play", ""))),
        page(&format!(
            "## SYNO.Demo.Player\n\n{}{}",
            section("play", ""),
            section("stop", "").replace("`stop`\n", "`halt`\n")
        )),
    ] {
        let report = import_pages(&[("w.md", &text)]).report();
        assert!(report.contains("refused  w.md:"), "{report}");
    }
}

/// A page that declares an API a page before it declares, beside others, imports the others
/// and reports the section it leaves out; was: the whole page refused.
#[test]
fn a_section_of_an_api_declared_before_is_left_out() {
    let first = page(&format!(
        "## SYNO.Demo.Widget\n\n{}",
        method("SYNO.Demo.Widget", "list", "GET", "", "", "")
    ));
    let second = page(&format!(
        "## SYNO.Demo.Widget\n\n{}## SYNO.Demo.Group\n\n{}",
        method("SYNO.Demo.Widget", "snap", "GET", "", "", ""),
        method("SYNO.Demo.Group", "list", "GET", "", "", "")
    ));
    let import = import_pages(&[("a.md", &first), ("b.md", &second)]);
    let Some((_, Outcome::Imported(_, counts, left_out))) = import.pages.get(1) else {
        panic!("{}", import.report());
    };
    let at = second
        .lines()
        .position(|l| l == "## SYNO.Demo.Widget")
        .unwrap()
        + 1;
    assert_eq!(*counts, [1, 1, 0]);
    assert_eq!(
        left_out,
        &[(
            at,
            "a section of an API a page before declares (a spec declares an API once)"
        )]
    );
    let b = &import.files[1].1;
    assert!(
        b.contains("SYNO.Demo.Group") && !b.contains("SYNO.Demo.Widget"),
        "{b}"
    );
}

/// An object whose keys are field names but one (`2fa_status`) is a struct of the others,
/// the one reported; was: `map<json>`, every field lost.
#[test]
fn a_key_that_is_no_field_name_is_left_out_of_its_struct() {
    let data = ", \"data\": {\"users\": [{\"name\": \"ann\", \"2fa_status\": \"on\"}]}";
    let text = page(&format!(
        "## SYNO.Demo.User\n\n{}",
        method("SYNO.Demo.User", "list", "GET", "", data, "")
    ));
    let (outcome, yaml) = yaml_of(&text);
    let Outcome::Imported(_, _, left_out) = outcome else {
        panic!("{outcome:?}");
    };
    let at = text.lines().position(|l| l == "```json").unwrap() + 1;
    assert_eq!(
        left_out,
        [(
            at,
            "a response field whose name is no identifier (a digit first, say)"
        )]
    );
    has(
        &yaml,
        &[
            r#"users: { type: "list<UserListUser>", description: "Not described by the documentation (seen in the example)." }"#,
        ],
    );
    assert!(
        yaml.contains("      name: {") && !yaml.contains("2fa_status: {"),
        "{yaml}"
    );
}

/// A JSON block under a label of its own (a parameter's value) is kept as a note in one
/// line, keys in order; was: the page refused.
#[test]
fn a_labelled_json_block_is_kept_as_a_note() {
    let rest =
        "**Schedule Configuration:**\n```json\n{\n  \"hour\": 2,\n  \"days\": \"0,1\"\n}\n```\n\n";
    let text = page(&format!(
        "## SYNO.Demo.Task\n\n{}",
        method(
            "SYNO.Demo.Task",
            "create",
            "POST",
            "- `schedule` (required): Schedule (JSON object)\n",
            "",
            rest
        )
    ));
    let (_, yaml) = yaml_of(&text);
    has(
        &yaml,
        &[r#"- "Schedule Configuration: `{\"hour\": 2, \"days\": \"0,1\"}`""#],
    );
    let bash = text.replace("```json\n{\n  \"hour\"", "```bash\n{\n  \"hour\"");
    let report = import_pages(&[("w.md", &bash)]).report();
    assert!(report.contains("is not a ```json block"), "{report}");
}

/// A string field named as a secret (`sid`, `synotoken`) is `secret`, as the dsm-lib
/// importer writes it; the type descriptions of a map's values read in lower case.
#[test]
fn secret_names_make_secret_fields_and_descriptions_read_well() {
    let data = ", \"data\": {\"sid\": \"S\", \"is_portal\": false}";
    let map = ", \"data\": {\"SYNO.A\": {\"path\": \"a.cgi\"}}";
    let text = page(&format!(
        "## SYNO.Demo.Auth\n\n{}{}",
        method("SYNO.Demo.Auth", "login", "POST", "", data, ""),
        method("SYNO.Demo.Auth", "query", "GET", "", map, "")
    ));
    let (_, yaml) = yaml_of(&text);
    has(
        &yaml,
        &[
            r#"sid: { type: "string", secret: true, description: "Not described by the documentation (seen in the example)." }"#,
            r#"description: "A value of the data of SYNO.Demo.Auth `query`.""#,
        ],
    );
}
