//! The progress bar on standard error while a scan reads its files: files, bytes, rate and
//! time left. It appears only once a scan has run for a moment (a quick scan shows nothing)
//! and is cleared when the reading ends, so the report that follows starts on a clean line.

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::pipeline::progress::{Progress, Snapshot};

/// How often the bar is redrawn.
const TICK: Duration = Duration::from_millis(100);

/// Runs `work` with progress counters, drawing a bar from them on standard error once
/// `after` has passed; without `after`, runs it with none.
pub fn track<T>(after: Option<Duration>, work: impl FnOnce(Option<Arc<Progress>>) -> T) -> T {
    let Some(after) = after else {
        return work(None);
    };
    let progress = Arc::new(Progress::default());
    let (done, finished) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let shown = Arc::clone(&progress);
        scope.spawn(move || draw(&shown, after, &finished));
        let result = work(Some(progress));
        // Wakes the drawer at once; it clears the bar before the scope ends.
        drop(done);
        result
    })
}

fn draw(progress: &Progress, after: Duration, finished: &mpsc::Receiver<()>) {
    let start = Instant::now();
    // The bar follows the counters from the start, hidden, so its rate and time left are
    // measured over the whole run once it shows.
    let bar = new_bar();
    let mut shown = false;
    loop {
        let wait = if shown {
            TICK
        } else {
            TICK.min(after.saturating_sub(start.elapsed()))
                .max(Duration::from_millis(1))
        };
        match finished.recv_timeout(wait) {
            Err(RecvTimeoutError::Timeout) => {}
            // The work ended (its sender was dropped).
            Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
        }
        update(&bar, progress.snapshot());
        if !shown && start.elapsed() >= after {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.tick();
            shown = true;
        }
    }
    bar.finish_and_clear();
}

fn new_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
    // The template is a constant; a bad one would fall back to indicatif's default.
    let style = ProgressStyle::with_template(
        "{spinner} reading {msg} [{wide_bar}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar
}

fn update(bar: &ProgressBar, now: Snapshot) {
    bar.set_message(format!("{}/{} files", now.files_done, now.total_files));
    bar.set_length(now.total_bytes);
    bar.set_position(now.bytes_done);
}
