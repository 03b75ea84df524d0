//! The progress bar on a terminal, one plain line per row otherwise.

use std::io::IsTerminal;

/// Where the run's messages go: above the progress bar on a terminal, one
/// line per row otherwise.
pub(crate) struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    pub(crate) fn new(rows: usize) -> Self {
        Progress(std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(rows as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} rows, {rate}, eta {eta}",
            )
            .map(|s| {
                s.with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.1} rows/s", state.per_sec());
                    },
                )
            }) {
                bar.set_style(style);
            }
            bar
        }))
    }

    pub(crate) fn is_bar(&self) -> bool {
        self.0.is_some()
    }

    /// A message that stays, above the bar.
    pub(crate) fn say(&self, message: &str) {
        match &self.0 {
            Some(bar) => bar.suspend(|| eprintln!("{message}")),
            None => eprintln!("{message}"),
        }
    }

    /// A row finished: the bar moves, or its line is printed.
    pub(crate) fn row(&self, line: impl FnOnce() -> String) {
        match &self.0 {
            Some(bar) => bar.inc(1),
            None => eprintln!("{}", line()),
        }
    }

    /// Gone before the summary is printed.
    pub(crate) fn clear(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
