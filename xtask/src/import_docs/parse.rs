//! Reads one API page in the seeds' Markdown format into a [`Page`], line by line, so every
//! refusal names the line it stopped at. Anything the format does not foresee is refused,
//! never guessed.

pub use super::json::Json;

/// Why a page was refused: the 1-based line and what was not understood (our words only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// 1-based line of the page.
    pub line: usize,
    /// What was not understood.
    pub message: String,
}

/// A refusal at `line`.
pub fn refuse<T>(line: usize, message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal {
        line,
        message: message.into(),
    })
}

/// One page.
#[derive(Debug, Default)]
pub struct Page {
    /// The `# ` title.
    pub title: String,
    /// `**Category:**`
    pub category: Option<String>,
    /// The CGI path under `/webapi/` (`entry.cgi`).
    pub path: Option<String>,
    /// APIs in page order.
    pub apis: Vec<ApiDoc>,
    /// Lines of the `## Example...` sections, which are skipped.
    pub examples: Vec<usize>,
}

/// One `## SYNO.X` section (or a `# SYNO.X` page).
#[derive(Debug)]
pub struct ApiDoc {
    /// `SYNO.CloudSync.Connection`
    pub name: String,
    /// Line of its heading.
    pub line: usize,
    /// Methods in page order.
    pub methods: Vec<MethodDoc>,
}

/// One `#### Method:` section.
#[derive(Debug, Default)]
pub struct MethodDoc {
    /// The label after the name (`` `control` (play) ``): one of several sections of one
    /// method, which [`super::variants`] merges.
    pub variant: Option<String>,
    /// Wire name.
    pub name: String,
    /// Line of its heading.
    pub line: usize,
    /// `**HTTP Method:**` as written, with its line.
    pub http: Option<(String, usize)>,
    /// `**Description:**`
    pub description: Option<String>,
    /// The parameter list, runtime parameters included.
    pub params: Vec<ParamDoc>,
    /// The example response: its fence line, text and value.
    pub response: Option<ResponseDoc>,
    /// `**Response Fields:**` rows.
    pub fields: Vec<FieldDoc>,
    /// `**Notes:**` items, verbatim.
    pub notes: Vec<String>,
    /// Other bold-headed lists of values (`**Cloud Types:**`): heading and items.
    pub vocabularies: Vec<(String, Vec<String>)>,
    /// The line of a response described in words instead of a ```json example (a file, an
    /// image, a stream): the spec describes JSON answers only, so the method is left out.
    pub not_json: Option<usize>,
}

/// One parameter line.
#[derive(Debug, Clone)]
pub struct ParamDoc {
    /// Wire name.
    pub name: String,
    /// Its line.
    pub line: usize,
    /// `(required)`
    pub required: bool,
    /// The text after the colon.
    pub text: String,
    /// The values of a parameter that several sections of one method give one each.
    pub values: Vec<String>,
}

/// An example response.
#[derive(Debug)]
pub struct ResponseDoc {
    /// Line of the opening fence.
    pub line: usize,
    /// The JSON text as written.
    pub text: String,
    /// Its value.
    pub value: Json,
}

/// One row of a field table.
#[derive(Debug, Clone)]
pub struct FieldDoc {
    /// Wire name.
    pub name: String,
    /// The type column, lower case.
    pub ty: String,
    /// Description.
    pub description: String,
    /// Its line.
    pub line: usize,
}

/// The inside of a line that is one code span (`` `x` `` → `x`).
fn code(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('`')?.strip_suffix('`')?;
    (!inner.is_empty() && !inner.contains('`')).then_some(inner)
}

/// A leading code span and the rest.
fn lead_code(s: &str) -> Option<(&str, &str)> {
    let s = s.strip_prefix('`')?;
    let end = s.find('`')?;
    (end > 0).then(|| (&s[..end], &s[end + 1..]))
}

/// `**Label:** rest` → `(Label, rest)`.
fn bold_label(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("**")?;
    let end = rest.find(":**")?;
    Some((&rest[..end], rest[end + 3..].trim()))
}

/// What the lines after a bold label hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// Nothing is open.
    None,
    /// `**Parameters:**`
    Params,
    /// `**Response:**`, waiting for its fence.
    Response,
    /// `**Response Fields:**`
    Fields,
    /// `**Notes:**`
    Notes,
    /// Another bold-headed list.
    Vocabulary,
}

/// A page name for `line`'s place in the parser.
fn method_of<'a>(
    apis: &'a mut [ApiDoc],
    line: usize,
    what: &str,
) -> Result<&'a mut MethodDoc, Refusal> {
    match apis.last_mut().and_then(|a| a.methods.last_mut()) {
        Some(m) => Ok(m),
        None => refuse(line, format!("{what} outside a method section")),
    }
}

/// Reads a page.
pub fn parse(text: &str) -> Result<Page, Refusal> {
    let mut page = Page::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut block = Block::None;
    let mut i = 0;
    while i < lines.len() {
        let n = i + 1;
        let raw = lines[i];
        let line = raw.trim_end();
        i += 1;
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with("```") {
            // A JSON block under a label of its own (`**Schedule Configuration:**`): a value
            // the method's parameters take, kept as a note in one line.
            let labelled = block == Block::Vocabulary
                && page
                    .apis
                    .last()
                    .and_then(|a| a.methods.last())
                    .and_then(|m| m.vocabularies.last())
                    .is_some_and(|(_, items)| items.is_empty());
            if block != Block::Response && !labelled {
                return refuse(
                    n,
                    "a code block outside `**Response:**` or a label of its own",
                );
            }
            if line != "```json" && (labelled || line != "```") {
                return refuse(
                    n,
                    "a response or labelled block that is not a ```json block",
                );
            }
            let start = i;
            let Some(len) = lines[start..].iter().position(|l| l.trim_end() == "```") else {
                return refuse(n, "a code block that is never closed");
            };
            let body = lines[start..start + len].join("\n");
            i = start + len + 1;
            block = Block::None;
            let value: Json = match serde_json::from_str(&body) {
                Ok(v) => v,
                Err(e) => {
                    return refuse(
                        n + e.line().max(1),
                        format!("example response is not JSON ({})", short_json_error(&e)),
                    );
                }
            };
            let m = method_of(&mut page.apis, n, "a response")?;
            if labelled {
                if let Some((_, items)) = m.vocabularies.last_mut() {
                    let text = value.compact();
                    items.push(if text.contains('`') {
                        text
                    } else {
                        format!("`{text}`")
                    });
                }
                continue;
            }
            if m.response.is_some() {
                return refuse(n, "a second example response for one method");
            }
            m.response = Some(ResponseDoc {
                line: n,
                text: body,
                value,
            });
            continue;
        }
        if block == Block::Response {
            // Words instead of an example (`- Returns a ZIP file`): the method is left out,
            // and its description runs to the next heading, rule or bold label.
            method_of(&mut page.apis, n, "a response")?.not_json = Some(n);
            while i < lines.len() {
                let next = lines[i].trim_start();
                if ["#", "---", "**", "```"]
                    .iter()
                    .any(|p| next.starts_with(p))
                {
                    break;
                }
                i += 1;
            }
            block = Block::None;
            continue;
        }
        if let Some(title) = line.strip_prefix("# ") {
            if !page.title.is_empty() {
                return refuse(n, "a second `# ` title");
            }
            page.title = title.trim().to_owned();
            if title.trim().starts_with("SYNO.") {
                page.apis.push(api(title.trim(), n)?);
            }
            continue;
        }
        if let Some(h) = line.strip_prefix("## ") {
            if h.starts_with("Example") {
                // Request examples up to the next section; their code blocks are skipped
                // whole, so a `#` inside one (a shell comment) starts nothing.
                page.examples.push(n);
                let mut fenced = false;
                while i < lines.len() {
                    let l = lines[i];
                    if l.starts_with("```") {
                        fenced = !fenced;
                    } else if !fenced && (l.starts_with("# ") || l.starts_with("## ")) {
                        break;
                    }
                    i += 1;
                }
                if fenced {
                    return refuse(
                        n,
                        "a code block in an examples section that is never closed",
                    );
                }
                block = Block::None;
                continue;
            }
            page.apis.push(api(h.trim(), n)?);
            block = Block::None;
            continue;
        }
        if let Some(h) = line.strip_prefix("#### Method: ") {
            let Some((name, rest)) = lead_code(h.trim()) else {
                return refuse(n, "a method heading without a `name`");
            };
            // `(play)`: one section of several for one method.
            let variant = rest
                .trim()
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .filter(|v| {
                    !v.is_empty()
                        && v.chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
                });
            if !rest.trim().is_empty() && variant.is_none() {
                return refuse(
                    n,
                    format!(
                        "text after the method name `{name}` that is not one `(label)` of a section"
                    ),
                );
            }
            let Some(a) = page.apis.last_mut() else {
                return refuse(n, "a method before any `## SYNO.*` section");
            };
            let twice = a.methods.iter().any(|m| {
                m.name == name
                    && (variant.is_none()
                        || m.variant.as_deref().is_none_or(|v| Some(v) == variant))
            });
            if twice {
                return refuse(n, format!("method `{name}` documented twice"));
            }
            a.methods.push(MethodDoc {
                name: name.to_owned(),
                line: n,
                variant: variant.map(str::to_owned),
                ..MethodDoc::default()
            });
            block = Block::None;
            continue;
        }
        if line.starts_with('#') {
            return refuse(
                n,
                "a heading that is neither `## SYNO.*` nor `#### Method:`",
            );
        }
        if line == "---" || (line.starts_with('[') && line.contains("](") && line.ends_with(')')) {
            continue;
        }
        if let Some((label, rest)) = bold_label(line) {
            block = Block::None;
            match label {
                "Category" if no_method(&page) => page.category = Some(rest.to_owned()),
                "Endpoint" if no_method(&page) => {
                    let path = code(rest)
                        .and_then(|p| p.strip_prefix("/webapi/"))
                        .filter(|p| {
                            !p.is_empty()
                                && p.chars().all(|c| {
                                    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/')
                                })
                        });
                    match path {
                        Some(p) => page.path = Some(p.to_owned()),
                        None => return refuse(n, "an endpoint that is not one `/webapi/...` path"),
                    }
                }
                "HTTP Method" => {
                    let m = method_of(&mut page.apis, n, "an HTTP method")?;
                    m.http = Some((rest.to_owned(), n));
                }
                "Description" if !rest.is_empty() => {
                    method_of(&mut page.apis, n, "a description")?.description =
                        Some(rest.to_owned());
                }
                _ if !rest.is_empty() => {
                    return refuse(
                        n,
                        format!("a `{}` line the format does not define", short(label)),
                    );
                }
                "Parameters" => block = Block::Params,
                "Response" => block = Block::Response,
                "Response Fields" => block = Block::Fields,
                "Notes" => block = Block::Notes,
                other => {
                    let m = method_of(&mut page.apis, n, &format!("a `{}` list", short(other)))?;
                    m.vocabularies.push((other.to_owned(), Vec::new()));
                    block = Block::Vocabulary;
                }
            }
            if block != Block::None {
                method_of(&mut page.apis, n, &format!("`{}`", short(label)))?;
            }
            continue;
        }
        match block {
            Block::Params => {
                let p = param(line, n)?;
                method_of(&mut page.apis, n, "a parameter")?.params.push(p);
            }
            Block::Notes => {
                let Some(note) = line.strip_prefix("- ") else {
                    return refuse(n, "a note that is not a `- ` list item");
                };
                method_of(&mut page.apis, n, "a note")?
                    .notes
                    .push(note.trim().to_owned());
            }
            Block::Vocabulary => {
                let Some(item) = line.strip_prefix("- ").filter(|l| l.starts_with('`')) else {
                    return refuse(n, "a list item that does not start with a `value`");
                };
                let m = method_of(&mut page.apis, n, "a list item")?;
                if let Some((_, items)) = m.vocabularies.last_mut() {
                    items.push(item.trim().to_owned());
                }
            }
            Block::Fields => {
                if let Some(f) = field_row(line, n)? {
                    method_of(&mut page.apis, n, "a field table")?
                        .fields
                        .push(f);
                }
            }
            Block::None | Block::Response => {
                return refuse(n, "text outside any block the format defines");
            }
        }
    }
    if page.title.is_empty() {
        return refuse(1, "no `# ` title");
    }
    Ok(page)
}

/// Whether no method heading has been read yet (page-level lines may still come).
fn no_method(page: &Page) -> bool {
    page.apis.iter().all(|a| a.methods.is_empty())
}

/// The first words of a label, for messages (never more than a short name).
pub fn short(s: &str) -> String {
    let s: String = s.chars().take(40).collect();
    s.replace('`', "")
}

/// A serde_json error without its position (the refusal has the line).
fn short_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    text.split(" at line ").next().unwrap_or(&text).to_owned()
}

/// An API heading.
fn api(name: &str, line: usize) -> Result<ApiDoc, Refusal> {
    let valid = name.starts_with("SYNO.")
        && name.split('.').count() >= 2
        && name
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if !valid {
        return refuse(
            line,
            format!("section `{}` is not an API name (`SYNO.*`)", short(name)),
        );
    }
    Ok(ApiDoc {
        name: name.to_owned(),
        line,
        methods: Vec::new(),
    })
}

/// `- `name` (required): text`
fn param(line: &str, n: usize) -> Result<ParamDoc, Refusal> {
    let parsed = line
        .strip_prefix("- ")
        .and_then(lead_code)
        .and_then(|(name, rest)| {
            let (required, rest) = if let Some(r) = rest.strip_prefix(" (required):") {
                (true, r)
            } else {
                (false, rest.strip_prefix(" (optional):")?)
            };
            Some((name, required, rest.trim()))
        });
    match parsed {
        Some((name, required, text))
            if name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']')) =>
        {
            Ok(ParamDoc {
                name: name.to_owned(),
                line: n,
                required,
                text: text.to_owned(),
                values: Vec::new(),
            })
        }
        Some((name, ..)) => refuse(
            n,
            format!("parameter name `{}` is not a plain word", short(name)),
        ),
        None => refuse(
            n,
            "a parameter line not of the form - `name` (required|optional): text",
        ),
    }
}

/// One table line: `None` for the header and the rule under it.
fn field_row(line: &str, n: usize) -> Result<Option<FieldDoc>, Refusal> {
    let Some(inner) = line.strip_prefix('|').and_then(|l| l.strip_suffix('|')) else {
        return refuse(n, "a field table line that is not a `| ... |` row");
    };
    let cells: Vec<&str> = inner.split('|').map(str::trim).collect();
    if cells == ["Field", "Type", "Description"]
        || cells
            .iter()
            .all(|c| !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':'))
    {
        return Ok(None);
    }
    if cells.len() != 3 {
        return refuse(
            n,
            "a field table row without exactly three cells (field, type, description)",
        );
    }
    let Some(name) = code(cells[0]) else {
        return refuse(n, "a field table row whose first cell is not a `name`");
    };
    Ok(Some(FieldDoc {
        name: name.to_owned(),
        ty: cells[1].to_ascii_lowercase(),
        description: cells[2].to_owned(),
        line: n,
    }))
}
