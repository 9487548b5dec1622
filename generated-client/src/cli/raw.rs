//! `synology api` (any API and method, named on the command line, through
//! [`Client::raw`]) and `synology apis` (what the NAS publishes, and how much of each API
//! this client's spec covers).

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use serde::Serialize;
use serde_json::Value;

use super::{Failure, output};
use crate::generated::METHODS;
use crate::{Client, Error, PublishedApi};

/// Parameters the client sets itself, with where the command line sets them instead.
const RESERVED: [(&str, &str); 4] = [
    ("api", "the API argument"),
    ("method", "the METHOD argument"),
    ("version", "--version"),
    ("_sid", "the login"),
];

/// The `api` command.
pub(super) fn api_command() -> Command {
    Command::new("api")
        .about("Call any API and method, even one the spec does not cover; prints the answer's data as JSON")
        .long_about(
            "Call any API and method, even one the spec does not cover, and print the answer's data \
             as JSON (pretty on a terminal, compact otherwise; `{}` when it has none; --output table \
             for a table).\n\n\
             KEY=VALUE sends VALUE as a string; -F KEY=JSON sends a JSON value (number, true, list, \
             object, \"quoted string\"). For APIs that take JSON-encoded values (the spec's, or \
             requestFormat JSON in the NAS's SYNO.API.Info) every value is written as JSON text, \
             strings quoted; otherwise as plain text. It goes where SYNO.API.Info says, at the \
             highest version both sides speak, as a POST with the session.\n\n\
             Examples:\n  \
             synology api SYNO.Core.System info type=storage\n  \
             synology api SYNO.CloudSync get_log -F connection_id=3 -F offset=0 --version 1\n  \
             synology api SYNO.Core.Thing list --path entry.cgi    (an API SYNO.API.Info does not list)\n\n\
             Exit codes as for every command: 2 for a bad argument (nothing is sent), 3 for a DSM \
             error or an API the NAS does not publish (with the closest names it does).",
        )
        .arg(
            Arg::new("api")
                .value_name("API")
                .required(true)
                .help("The API, e.g. SYNO.Core.System"),
        )
        .arg(
            Arg::new("method")
                .value_name("METHOD")
                .required(true)
                .help("The method, as DSM spells it (case matters), e.g. info"),
        )
        .arg(
            Arg::new("params")
                .value_name("KEY=VALUE")
                .num_args(0..)
                .action(ArgAction::Append)
                .help("A parameter sent as a string"),
        )
        .arg(
            Arg::new("field")
                .short('F')
                .long("field")
                .value_name("KEY=JSON")
                .action(ArgAction::Append)
                .help("A parameter sent as this JSON value (repeatable)"),
        )
        .arg(
            Arg::new("version")
                .long("version")
                .value_name("N")
                .value_parser(value_parser!(u32))
                .help("API version [default: the highest both the NAS and the spec allow]"),
        )
        .arg(
            Arg::new("get")
                .long("get")
                .action(ArgAction::SetTrue)
                .help("Send a GET (parameters and session id in the URL) instead of a POST"),
        )
        .arg(
            Arg::new("path")
                .long("path")
                .value_name("CGI")
                .help("CGI path under /webapi/ (entry.cgi), for an API SYNO.API.Info does not list"),
        )
}

/// The `apis` command.
pub(super) fn apis_command() -> Command {
    Command::new("apis")
        .about("List the APIs the NAS publishes and how this client covers each")
        .long_about(
            "List the APIs the NAS publishes (its SYNO.API.Info answer): name, versions, CGI path, \
             request format, and how this client covers each: `N methods, M typed` from the spec, \
             or `raw only` (reachable with `synology api`). The table ends with a count line; \
             synology --output json apis prints a list of objects (name, min_version, max_version, \
             path, request_format, spec_methods, typed_methods) and no count.\n\n\
             Examples:\n  synology apis --filter core\n  synology --output json apis --filter SYNO.CloudSync",
        )
        .arg(
            Arg::new("filter")
                .long("filter")
                .value_name("TEXT")
                .help("Only APIs whose name contains TEXT (any case)"),
        )
}

/// A parsed `synology api` command line, checked before anything is sent.
#[derive(Debug)]
pub(super) struct Call {
    api: String,
    method: String,
    /// In command-line order; a later value of the same name wins.
    params: Vec<(String, Value)>,
    version: Option<u32>,
    get: bool,
    path: Option<String>,
}

impl Call {
    /// Reads and checks the arguments: a `KEY=VALUE` without `=`, a `-F` value that is not
    /// JSON or a parameter the client sets itself is a usage error.
    pub(super) fn parse(m: &ArgMatches) -> Result<Self, Failure> {
        let mut params: Vec<(usize, String, Value)> = Vec::new();
        for (index, arg) in indexed(m, "params") {
            let (name, value) = split(arg, "KEY=VALUE", "")?;
            params.push((index, name, Value::String(value.to_owned())));
        }
        for (index, arg) in indexed(m, "field") {
            let (name, text) = split(arg, "KEY=JSON", "-F ")?;
            let value = serde_json::from_str::<Value>(text).map_err(|e| {
                Failure::Usage(format!(
                    "-F {name}: the value is not JSON ({e}); a string is -F '{name}=\"text\"' or {name}=text"
                ))
            })?;
            params.push((index, name, value));
        }
        params.sort_by_key(|(index, ..)| *index);
        Ok(Call {
            api: super::required(m, "api")?,
            method: super::required(m, "method")?,
            params: params.into_iter().map(|(_, n, v)| (n, v)).collect(),
            version: super::optional(m, "version"),
            get: m.get_flag("get"),
            path: super::optional(m, "path"),
        })
    }

    /// Sends the call and returns the answer's `data` (`null` when it has none).
    pub(super) async fn send(self, client: &Client) -> Result<Value, Failure> {
        let mut request = client.raw(&self.api, &self.method);
        for (name, value) in &self.params {
            request = request.param(name, value);
        }
        if let Some(v) = self.version {
            request = request.version(v);
        }
        if let Some(path) = &self.path {
            request = request.path(path);
        }
        if self.get {
            request = request.get();
        }
        request.send_json().await.map_err(|e| match e {
            Error::Unsupported {
                available: None, ..
            } => Failure::Hinted(
                Box::new(e),
                "`synology apis --filter TEXT` lists what it publishes; --path CGI calls it anyway",
            ),
            e => Failure::Call(e),
        })
    }
}

/// The values of `id` with their positions on the command line.
fn indexed<'a>(m: &'a ArgMatches, id: &str) -> Vec<(usize, &'a String)> {
    match (m.indices_of(id), m.get_many::<String>(id)) {
        (Some(indices), Some(values)) => indices.zip(values).collect(),
        _ => Vec::new(),
    }
}

/// `KEY=VALUE` split at its first `=`; a missing `=`, an empty or a reserved name is a usage
/// error quoting `flag` and the argument.
fn split<'a>(arg: &'a str, form: &str, flag: &str) -> Result<(String, &'a str), Failure> {
    let Some((name, value)) = arg.split_once('=') else {
        return Err(Failure::Usage(format!(
            "{flag}{}: expected {form} (a parameter is NAME=value)",
            super::escape::escape_controls(arg)
        )));
    };
    if name.is_empty() {
        return Err(Failure::Usage(format!(
            "{flag}{}: the parameter name is empty",
            super::escape::escape_controls(arg)
        )));
    }
    if let Some((_, instead)) = RESERVED.iter().find(|(r, _)| *r == name) {
        return Err(Failure::Usage(format!(
            "{flag}{name}: the client sets `{name}` itself (use {instead})"
        )));
    }
    Ok((name.to_owned(), value))
}

/// One row of `synology apis`: the NAS's entry and this client's coverage of it.
#[derive(Debug, Serialize)]
pub(super) struct ApiRow {
    name: String,
    min_version: u32,
    max_version: u32,
    path: String,
    request_format: Option<String>,
    /// Methods of this API the spec describes (0: raw calls only).
    spec_methods: usize,
    /// Of those, the ones with a typed response.
    typed_methods: usize,
}

/// What the NAS publishes, with coverage, optionally filtered by a case-insensitive substring
/// of the name.
pub(super) async fn apis(client: &Client, m: &ArgMatches) -> Result<Vec<ApiRow>, Failure> {
    let filter = super::optional::<String>(m, "filter").map(|f| f.to_lowercase());
    let published = client.published_apis().await?;
    Ok(rows(published, filter.as_deref()))
}

fn rows(published: Vec<PublishedApi>, filter: Option<&str>) -> Vec<ApiRow> {
    published
        .into_iter()
        .filter(|a| filter.is_none_or(|f| a.name.to_lowercase().contains(f)))
        .map(|a| {
            let methods = METHODS.iter().filter(|m| m.api.name == a.name);
            let (spec_methods, typed_methods) =
                methods.fold((0, 0), |(n, t), m| (n + 1, t + usize::from(m.typed)));
            ApiRow {
                name: a.name,
                min_version: a.min_version,
                max_version: a.max_version,
                path: a.path,
                request_format: a.request_format,
                spec_methods,
                typed_methods,
            }
        })
        .collect()
}

/// The rows as a table (through the CLI's renderer, so names from the server are escaped)
/// and the count line.
pub(super) fn apis_table(rows: &[ApiRow], width: Option<usize>) -> String {
    /// A row as shown, its columns in this order.
    #[derive(Serialize)]
    struct Shown<'a> {
        name: &'a str,
        versions: String,
        path: &'a str,
        format: &'a str,
        coverage: String,
    }
    let shown: Vec<Shown<'_>> = rows
        .iter()
        .map(|r| Shown {
            name: &r.name,
            versions: format!("{}-{}", r.min_version, r.max_version),
            path: &r.path,
            format: r.request_format.as_deref().unwrap_or("-"),
            coverage: match (r.spec_methods, r.typed_methods) {
                (0, _) => "raw only".to_owned(),
                (n, t) => format!("{n} method{}, {t} typed", plural(n)),
            },
        })
        .collect();
    let table = match serde_json::to_string(&shown) {
        Ok(json) => output::table(&json, width),
        Err(e) => format!("cannot print the table: {e}"),
    };
    format!("{table}\n{}", count_line(rows))
}

/// `1,076 APIs; 12 covered by the spec (30 methods, 24 typed), 1,064 raw only`.
fn count_line(rows: &[ApiRow]) -> String {
    let covered: Vec<&ApiRow> = rows.iter().filter(|r| r.spec_methods > 0).collect();
    let methods: usize = covered.iter().map(|r| r.spec_methods).sum();
    let typed: usize = covered.iter().map(|r| r.typed_methods).sum();
    format!(
        "{} API{}; {} covered by the spec ({} method{}, {} typed), {} raw only",
        thousands(rows.len()),
        plural(rows.len()),
        thousands(covered.len()),
        thousands(methods),
        plural(methods),
        thousands(typed),
        thousands(rows.len() - covered.len()),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `1076` as `1,076`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{ApiRow, apis_table, count_line, split, thousands};

    #[test]
    fn the_apis_table_is_cut_to_the_width_it_is_given() {
        use unicode_width::UnicodeWidthStr;
        let row = |name: &str| ApiRow {
            name: name.to_owned(),
            min_version: 1,
            max_version: 3,
            path: "entry.cgi".to_owned(),
            request_format: Some("JSON".to_owned()),
            spec_methods: 2,
            typed_methods: 1,
        };
        let rows = [
            row("SYNO.Core.Storage.Volume"),
            row("SYNO.SurveillanceStation.ActionRule.DeviceDIStatus.ExtraLongName"),
        ];
        let wide = apis_table(&rows, None);
        assert!(wide.contains("ExtraLongName"), "{wide}");
        let cut = apis_table(&rows, Some(60));
        let (table, count) = cut.rsplit_once('\n').unwrap();
        assert!(count.starts_with("2 APIs;"), "{count}");
        for line in table.lines() {
            assert!(line.width() <= 60, "{} columns: {line}", line.width());
        }
        assert!(table.contains('…'), "{table}");
    }

    #[test]
    fn counts_have_thousands_separators() {
        let cases = [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1000, "1,000"),
            (1076, "1,076"),
            (1_234_567, "1,234,567"),
        ];
        for (n, shown) in cases {
            assert_eq!(thousands(n), shown);
        }
    }

    #[test]
    fn the_count_line_adds_up_covered_and_raw_only_apis() {
        let row = |name: &str, spec_methods, typed_methods| ApiRow {
            name: name.to_owned(),
            min_version: 1,
            max_version: 1,
            path: "entry.cgi".to_owned(),
            request_format: None,
            spec_methods,
            typed_methods,
        };
        let rows = [
            row("A", 3, 2),
            row("B", 0, 0),
            row("C", 1, 1),
            row("D", 0, 0),
        ];
        assert_eq!(
            count_line(&rows),
            "4 APIs; 2 covered by the spec (4 methods, 3 typed), 2 raw only"
        );
        assert_eq!(
            count_line(&rows[1..2]),
            "1 API; 0 covered by the spec (0 methods, 0 typed), 1 raw only"
        );
    }

    #[test]
    fn parameters_split_at_the_first_equals_sign() {
        let (name, value) = split("filter=a=b", "KEY=VALUE", "").unwrap();
        assert_eq!((name.as_str(), value), ("filter", "a=b"));
        let (name, value) = split("empty=", "KEY=VALUE", "").unwrap();
        assert_eq!((name.as_str(), value), ("empty", ""));
        for bad in [
            "novalue",
            "=x",
            "api=SYNO.X",
            "version=2",
            "_sid=x",
            "method=y",
        ] {
            assert!(split(bad, "KEY=VALUE", "").is_err(), "{bad}");
        }
    }
}
