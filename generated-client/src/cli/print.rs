//! Writing a command's answer to stdout as it comes ([`Out`]): `json` (the typed answer,
//! pretty; `--all`: one list, written item by item through serde_json's `SerializeSeq`),
//! `ndjson` (one compact JSON object a line: the answer's list, or its `data` when it lists
//! nothing; `--all`: every item as it comes) or a table (`output.rs`; `--all` collects first,
//! as columns need every row). Items are flushed whenever the next page is not there yet, so
//! a reader sees each page as soon as it is answered, and memory holds only the pages in
//! flight. Every JSON string goes through [`SafeJson`] (DEL, C1 and bidi controls as `\u`
//! escapes), whatever stdout is.
//!
//! A reader that goes away (`| head`) ends any command quietly with exit 0
//! ([`Failure::Closed`]): Rust binaries ignore SIGPIPE (std sets it to `SIG_IGN` before
//! `main`), so a write to a closed pipe fails with `BrokenPipe` instead of killing the
//! process, and every write here turns that error into `Closed`.

use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};

use clap::ArgMatches;
use futures_util::{FutureExt, StreamExt};
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer as _};
use serde_json::Value;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter, Serializer};

use super::escape::SafeJson;
use super::output::{self, Json, Rows};
use super::progress::Progress;
use super::{Failure, raw};
use crate::Pages;

/// How answers are printed (`--output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Ndjson,
    Table,
}

impl Format {
    /// `--output`'s value; without it, a table on a terminal and JSON otherwise (`synology
    /// api` prints JSON unless asked).
    pub(crate) fn choose(flag: Option<&str>, stdout_terminal: bool, raw_call: bool) -> Format {
        match flag {
            Some("table") => Format::Table,
            Some("ndjson") => Format::Ndjson,
            Some(_) => Format::Json,
            None if stdout_terminal && !raw_call => Format::Table,
            None => Format::Json,
        }
    }
}

/// The width tables are cut to: the terminal's (`COLUMNS` when set, else as the terminal
/// reports it) when stdout is one and `--wide` is not given; none otherwise.
fn table_width(stdout_terminal: bool, wide: bool) -> Option<usize> {
    if !stdout_terminal || wide {
        return None;
    }
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok());
    columns.filter(|c: &usize| *c > 0).or_else(|| {
        console::Term::stdout()
            .size_checked()
            .map(|(_, c)| usize::from(c))
    })
}

/// Where a command's answer goes, and how.
pub(crate) struct Out {
    sink: Sink,
    format: Format,
    /// Whether stdout is a terminal: raw data and `apis` print pretty JSON then.
    terminal: bool,
    /// Table cells are cut to this width.
    width: Option<usize>,
    progress: Progress,
}

impl Out {
    /// Stdout, as the global flags (`--output`, `--wide`) and the command (`family`) say.
    pub(crate) fn stdout(matches: &ArgMatches, family: &str, progress: Progress) -> Out {
        let terminal = io::stdout().is_terminal();
        let flag = matches.get_one::<String>("output").map(String::as_str);
        let wide = matches.try_get_one::<bool>("wide").ok().flatten() == Some(&true);
        let around = (terminal && io::stderr().is_terminal()).then(|| progress.clone());
        Out {
            sink: Sink::new(Box::new(io::stdout()), around),
            format: Format::choose(flag, terminal, family == "api"),
            terminal,
            width: table_width(terminal, wide),
            progress,
        }
    }

    /// A generated command's typed answer: pretty JSON (`{}` when it has no data), ndjson
    /// lines, or a table. `items` names a paginated method's list.
    pub(crate) fn answer<T: Serialize>(
        &mut self,
        value: &T,
        items: Option<&str>,
    ) -> Result<(), Failure> {
        self.value(value, true, items)
    }

    /// A raw call's `data` (`null` when it has none): JSON as DSM sent it, pretty on a
    /// terminal and compact otherwise.
    pub(crate) fn data(&mut self, data: &Value) -> Result<(), Failure> {
        self.value(data, self.terminal, None)
    }

    /// `synology apis`: its table and count line, or its rows as JSON.
    pub(super) fn apis(&mut self, rows: &[raw::ApiRow]) -> Result<(), Failure> {
        if self.format == Format::Table {
            let text = raw::apis_table(rows, self.width);
            return self.line(text.as_bytes());
        }
        self.value(&rows, self.terminal, None)
    }

    /// Every item of a paginated method (`--all`), written as it comes, with the progress
    /// bar. An error ends the output after the items before it (json: without the closing
    /// `]`, so a parser sees it is cut short).
    pub(crate) async fn pages<T: Serialize + Send + 'static>(
        &mut self,
        mut pages: Pages<T>,
    ) -> Result<(), Failure> {
        self.progress.start();
        // A table needs every row before its first line.
        let table = match self.format {
            Format::Json => self.json_pages(&mut pages).await.map(|()| None),
            Format::Ndjson => self.ndjson_pages(&mut pages).await.map(|()| None),
            Format::Table => self.collect(&mut pages).await.map(Some),
        };
        // What was written goes out while the bar is still drawn, so the bar's last line
        // ends up below it.
        let flushed = self.sink.flush().map_err(closed_or);
        self.progress.finish(table.is_ok() && flushed.is_ok());
        let table = table?;
        flushed?;
        match table {
            Some(items) => self.value(&items, true, None),
            None => Ok(()),
        }
    }

    /// Writes out what is buffered; the command's output ends here.
    pub(crate) fn finish(&mut self) -> Result<(), Failure> {
        self.sink
            .drain(true)
            .and_then(|()| self.sink.out.flush())
            .map_err(closed_or)
    }

    async fn json_pages<T: Serialize + Send + 'static>(
        &mut self,
        pages: &mut Pages<T>,
    ) -> Result<(), Failure> {
        // The list opens with its first item, so a stream failing at once prints nothing.
        let mut item = next(pages, || Ok(())).await?;
        let sink = RefCell::new(&mut self.sink);
        let mut ser = Serializer::with_formatter(Shared(&sink), SafeJson(PrettyFormatter::new()));
        let mut list = ser.serialize_seq(None).map_err(json_failure)?;
        while let Some(it) = item {
            list.serialize_element(&it).map_err(json_failure)?;
            self.progress.item(pages.total());
            item = next(pages, || sink.borrow_mut().flush()).await?;
        }
        list.end().map_err(json_failure)?;
        sink.borrow_mut().write_all(b"\n").map_err(closed_or)
    }

    async fn ndjson_pages<T: Serialize + Send + 'static>(
        &mut self,
        pages: &mut Pages<T>,
    ) -> Result<(), Failure> {
        while let Some(item) = next(pages, || self.sink.flush()).await? {
            write_json(&mut self.sink, &item, false)?;
            self.sink.write_all(b"\n").map_err(closed_or)?;
            self.progress.item(pages.total());
        }
        Ok(())
    }

    async fn collect<T: Serialize + Send + 'static>(
        &mut self,
        pages: &mut Pages<T>,
    ) -> Result<Vec<T>, Failure> {
        let mut items = Vec::new();
        while let Some(item) = next(pages, || Ok(())).await? {
            items.push(item);
            self.progress.item(pages.total());
        }
        Ok(items)
    }

    /// One answer in the chosen format.
    fn value<T: Serialize>(
        &mut self,
        value: &T,
        pretty: bool,
        items: Option<&str>,
    ) -> Result<(), Failure> {
        if self.format == Format::Json {
            let mut text = Vec::new();
            write_json(&mut text, value, pretty)?;
            if text == b"null" {
                text = b"{}".to_vec();
            }
            return self.line(&text);
        }
        // Read back in its own field order, to find its list.
        let text = serde_json::to_string(value).map_err(json_failure)?;
        let answer = match serde_json::from_str::<Json>(&text) {
            Ok(Json::Null) => Json::Object(Vec::new()),
            Ok(answer) => answer,
            Err(e) => return Err(json_failure(e)),
        };
        if self.format == Format::Table {
            let table = output::render(&answer, items, self.width);
            return self.line(table.as_bytes());
        }
        let lines = match output::rows(&answer, items) {
            Rows::Items { items, .. } => items,
            Rows::Whole(whole) => std::slice::from_ref(whole),
        };
        for item in lines {
            let mut text = Vec::new();
            write_json(&mut text, item, false)?;
            self.line(&text)?;
        }
        Ok(())
    }

    /// `bytes` and a line break.
    fn line(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.sink
            .write_all(bytes)
            .and_then(|()| self.sink.write_all(b"\n"))
            .map_err(closed_or)
    }
}

/// The next item; when it has not come yet, `flush` first (so what is written so far reaches
/// the reader while the next page is awaited).
async fn next<T: Send + 'static>(
    pages: &mut Pages<T>,
    mut flush: impl FnMut() -> io::Result<()>,
) -> Result<Option<T>, Failure> {
    let item = match pages.next().now_or_never() {
        Some(item) => item,
        None => {
            flush().map_err(closed_or)?;
            pages.next().await
        }
    };
    item.transpose().map_err(Failure::Call)
}

/// `value` as JSON (pretty or compact) with [`SafeJson`]'s escapes.
fn write_json<T: Serialize + ?Sized>(
    w: &mut impl Write,
    value: &T,
    pretty: bool,
) -> Result<(), Failure> {
    fn with<F: Formatter, T: Serialize + ?Sized>(
        w: &mut impl Write,
        value: &T,
        f: F,
    ) -> serde_json::Result<()> {
        value.serialize(&mut Serializer::with_formatter(w, SafeJson(f)))
    }
    if pretty {
        with(w, value, PrettyFormatter::new())
    } else {
        with(w, value, CompactFormatter)
    }
    .map_err(json_failure)
}

/// A write error to stdout: `Closed` for a reader that went away (exit 0, quietly), else
/// unexpected. For every command that writes to stdout.
pub(super) fn closed_or(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure::Closed
    } else {
        Failure::Unexpected(format!("cannot write the output: {e}"))
    }
}

/// A serializer error: a write error ([`closed_or`]), or a value that cannot be printed.
fn json_failure(e: serde_json::Error) -> Failure {
    match e.io_error_kind() {
        Some(_) => closed_or(e.into()),
        None => Failure::Unexpected(format!("cannot print the response: {e}")),
    }
}

/// The sink behind a `RefCell`, so the `--all` list can be flushed between its items while
/// its serializer holds it.
struct Shared<'a, 'b>(&'a RefCell<&'b mut Sink>);

impl Write for Shared<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

/// Bytes written as whole chunks: [`CHUNK`] at a time, and on [`Write::flush`]. While a
/// progress bar is drawn on the same terminal, only whole lines are written, through the
/// bar's `suspend`, since it is drawn below the last one.
struct Sink {
    out: Box<dyn Write>,
    buf: Vec<u8>,
    /// The bar to write around, when stdout and stderr are one terminal.
    around: Option<Progress>,
}

/// Bytes buffered before they are written without a flush.
const CHUNK: usize = 16 * 1024;

impl Sink {
    fn new(out: Box<dyn Write>, around: Option<Progress>) -> Sink {
        Sink {
            out,
            buf: Vec::with_capacity(CHUNK),
            around,
        }
    }

    /// Writes what is buffered: everything when `all`, else up to the last line break while
    /// a bar is drawn.
    fn drain(&mut self, all: bool) -> io::Result<()> {
        let bar = self.around.as_ref().and_then(Progress::drawn);
        let end = match &bar {
            Some(_) if !all => self
                .buf
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1),
            _ => self.buf.len(),
        };
        if end == 0 {
            return Ok(());
        }
        let (out, bytes) = (&mut self.out, &self.buf[..end]);
        match bar {
            Some(bar) => bar.suspend(|| out.write_all(bytes).and_then(|()| out.flush())),
            None => out.write_all(bytes),
        }?;
        self.buf.drain(..end);
        Ok(())
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(buf);
        if self.buf.len() >= CHUNK {
            self.drain(false)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.drain(false)?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::io::{self, Write};
    use std::sync::{Arc, Mutex};

    use serde_json::json;

    use super::{Format, Out, Sink, closed_or};
    use crate::cli::Failure;
    use crate::cli::progress::Progress;

    /// A writer whose bytes the test reads back.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn out(format: Format) -> (Out, Buffer) {
        let buffer = Buffer::default();
        let out = Out {
            sink: Sink::new(Box::new(buffer.clone()), None),
            format,
            terminal: false,
            width: None,
            progress: Progress::new(false),
        };
        (out, buffer)
    }

    fn printed(format: Format, value: &serde_json::Value, items: Option<&str>) -> String {
        let (mut out, buffer) = out(format);
        out.answer(value, items).unwrap();
        out.finish().unwrap();
        String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn ndjson_is_a_line_per_item_of_the_list_or_the_whole_answer() {
        let page = json!({"logs": [{"b": 1, "a": "x\u{9b}"}, {"b": 2}], "total": 2});
        assert_eq!(
            printed(Format::Ndjson, &page, Some("logs")),
            "{\"a\":\"x\\u009b\",\"b\":1}\n{\"b\":2}\n"
        );
        let summary = json!({"summary": {"desktop": 3}});
        assert_eq!(
            printed(Format::Ndjson, &summary, None),
            "{\"summary\":{\"desktop\":3}}\n"
        );
        assert_eq!(printed(Format::Ndjson, &json!(null), None), "{}\n");
        assert_eq!(printed(Format::Ndjson, &json!({"logs": []}), None), "");
    }

    #[test]
    fn json_is_pretty_with_no_data_as_an_empty_object() {
        assert_eq!(printed(Format::Json, &json!(null), None), "{}\n");
        assert_eq!(
            printed(Format::Json, &json!({"a": ["\u{202e}"]}), None),
            "{\n  \"a\": [\n    \"\\u202e\"\n  ]\n}\n"
        );
        assert_eq!(printed(Format::Table, &json!(null), None), "ok\n");
    }

    #[test]
    fn output_defaults_to_a_table_on_a_terminal_except_for_raw_calls() {
        assert_eq!(Format::choose(None, true, false), Format::Table);
        assert_eq!(Format::choose(None, true, true), Format::Json);
        assert_eq!(Format::choose(None, false, false), Format::Json);
        assert_eq!(Format::choose(Some("ndjson"), true, false), Format::Ndjson);
        assert_eq!(Format::choose(Some("json"), true, false), Format::Json);
        assert_eq!(Format::choose(Some("table"), false, true), Format::Table);
    }

    #[test]
    fn a_closed_pipe_is_a_quiet_end_and_other_errors_are_not() {
        let closed = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(matches!(closed_or(closed), Failure::Closed));
        let full = io::Error::other("disk full");
        assert!(matches!(closed_or(full), Failure::Unexpected(_)));
        // Through serde_json too.
        struct Gone;
        impl Write for Gone {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let through_serde = super::write_json(&mut Gone, &json!({"a": 1}), false);
        assert!(matches!(through_serde, Err(Failure::Closed)));
    }
}
