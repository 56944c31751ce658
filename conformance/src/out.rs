//! Writing to stdout and stderr without panicking when the reader has gone (`run ... | head`,
//! a closed terminal). `print!` panics on a broken pipe; these report it instead, so a
//! command keeps going and still writes its reports.

use std::io::Write as _;

/// Writes `text` to stdout and flushes; `false` when it could not be written (e.g. the pipe
/// was closed), which callers may ignore.
pub fn stdout(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_ok()
}

/// Writes `text` to stderr; errors are ignored (there is nowhere left to report them).
pub fn stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Whether an I/O error means the reader went away.
pub fn is_closed(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}
