//! The progress bar of a command that pages (`--all`): on stderr, only when stderr is a
//! terminal and `--quiet` is not given; items so far, the total once a page announces it, and
//! the rate. Whatever else goes to that terminal while it is drawn (log lines of `-v`, and
//! stdout when it is the same terminal, `print.rs`) is written through
//! [`ProgressBar::suspend`], which takes the bar away and draws it again below, so nothing is
//! garbled.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use tracing_subscriber::fmt::MakeWriter;

/// Whether a command draws a progress bar: one that pages (`--all`), with stderr a terminal,
/// without `--quiet`. Errors print whatever this says.
pub(crate) fn draws(pages: bool, stderr_terminal: bool, quiet: bool) -> bool {
    pages && stderr_terminal && !quiet
}

/// The command's progress bar, if it draws one; clones share it.
#[derive(Clone, Default)]
pub(crate) struct Progress {
    on: bool,
    /// The bar while it is drawn: from [`Progress::start`] to [`Progress::finish`].
    bar: Arc<Mutex<Option<ProgressBar>>>,
}

/// How often the spinner turns and the rate is redrawn while a page is awaited.
const TICK: Duration = Duration::from_millis(120);

impl Progress {
    /// A progress bar that is drawn when `on` ([`draws`]), and never otherwise.
    pub(crate) fn new(on: bool) -> Self {
        Progress {
            on,
            bar: Arc::default(),
        }
    }

    /// The bar being drawn, if any.
    pub(crate) fn drawn(&self) -> Option<ProgressBar> {
        self.bar
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Draws the bar (when on): a spinner, the items so far and the rate.
    pub(crate) fn start(&self) {
        if !self.on {
            return;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(style("{spinner} fetched {human_pos} items  {rate}"));
        bar.enable_steady_tick(TICK);
        *self.bar.lock().unwrap_or_else(PoisonError::into_inner) = Some(bar);
    }

    /// One more item; `total` is what the last page announced.
    pub(crate) fn item(&self, total: Option<u64>) {
        let Some(bar) = self.drawn() else {
            return;
        };
        if let Some(total) = total
            && bar.length() != Some(total)
        {
            if bar.length().is_none() {
                bar.set_style(style(
                    "{spinner} fetched {human_pos}/{human_len} items [{bar:24}] {rate}",
                ));
            }
            bar.set_length(total);
        }
        bar.inc(1);
    }

    /// Stops drawing: the last state stays as `fetched N items in 2s` when `done`, and the
    /// line is cleared otherwise (an error message follows).
    pub(crate) fn finish(&self, done: bool) {
        let Some(bar) = self
            .bar
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return;
        };
        if done {
            bar.set_style(style("fetched {human_pos} items in {elapsed}"));
            bar.finish();
        } else {
            bar.finish_and_clear();
        }
    }
}

/// A style from one of the constant templates above; `{rate}` is items per second, whole.
fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .progress_chars("=> ")
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0}/s", s.per_sec());
        })
}

/// The log writer (`-v`): stderr, through the bar's `suspend` while one is drawn.
#[derive(Clone)]
pub(crate) struct LogWriter(pub(crate) Progress);

impl<'a> MakeWriter<'a> for LogWriter {
    type Writer = LogLine;

    fn make_writer(&'a self) -> LogLine {
        LogLine {
            progress: self.0.clone(),
            text: Vec::new(),
        }
    }
}

/// One log event: kept until dropped, then written at once.
pub(crate) struct LogLine {
    progress: Progress,
    text: Vec<u8>,
}

impl Write for LogLine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for LogLine {
    fn drop(&mut self) {
        if self.text.is_empty() {
            return;
        }
        let text = log_text(&self.text);
        // A closed stderr loses the log, nothing else.
        let write = || {
            let _ = io::stderr().write_all(text.as_bytes());
        };
        match self.progress.drawn() {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }
}

/// One log event as written: text from the server (a DSM message, an API name a NAS
/// reported) can reach a log line, so every control and bidi character in it is escaped as
/// in tables, and only the event's own final newline stays.
fn log_text(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let body = text.strip_suffix('\n').unwrap_or(&text);
    format!("{}\n", super::escape::escape_controls(body))
}

#[cfg(test)]
mod tests {
    use super::{Progress, draws, log_text};

    #[test]
    fn log_lines_escape_what_the_server_sent() {
        let raw = "DEBUG api=\"SYNO.\u{1b}[2J\u{202e}Evil\"\nsecond line\r\n".as_bytes();
        assert_eq!(
            log_text(raw),
            "DEBUG api=\"SYNO.\\u{1b}[2J\\u{202e}Evil\"\\u{a}second line\\u{d}\n"
        );
        assert_eq!(log_text(b"plain\n"), "plain\n");
    }

    #[test]
    fn a_bar_is_drawn_only_for_pages_on_a_terminal_without_quiet() {
        assert!(draws(true, true, false));
        for (pages, terminal, quiet) in [
            (true, true, true),
            (true, false, false),
            (true, false, true),
            (false, true, false),
            (false, false, false),
        ] {
            assert!(!draws(pages, terminal, quiet), "{pages} {terminal} {quiet}");
        }
    }

    #[test]
    fn a_bar_that_is_off_is_never_drawn() {
        let progress = Progress::new(false);
        progress.start();
        progress.item(Some(10));
        assert!(progress.drawn().is_none());
        progress.finish(true);
    }
}
