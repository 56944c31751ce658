//! Reading the runner's input files (scenarios, profiles, manifests, baselines) safely: only
//! regular files, bounded in size, and never blocking on a FIFO or a device.
//!
//! A path is opened with `O_NONBLOCK` (no effect on a regular file; it keeps `open` from
//! waiting for a writer on a FIFO), then the open file itself is checked (`fstat`), so a file
//! swapped between a check and the open cannot slip through.

use std::fs::{File, OpenOptions};
use std::io::Read as _;
use std::os::unix::fs::{FileTypeExt as _, OpenOptionsExt as _};
use std::path::Path;

/// The largest input file read (a scenario or manifest is a few KiB).
pub const MAX_INPUT_BYTES: u64 = 4 * 1024 * 1024;

/// Reads `path` as UTF-8 text.
///
/// # Errors
/// A message saying what was found instead of a readable regular file of at most
/// [`MAX_INPUT_BYTES`] (a FIFO, a folder, a symbolic-link loop, a missing file, ...).
pub fn read_text(path: &Path) -> Result<String, String> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)
        .map_err(|e| format!("cannot read: {e}"))?;
    let meta = file.metadata().map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(format!("expected a regular file, found {}", kind(&meta.file_type())));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(format!("expected at most {} MiB, found {} bytes", MAX_INPUT_BYTES >> 20, meta.len()));
    }
    read_all(file)
}

fn read_all(file: File) -> Result<String, String> {
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read: {e}"))?;
    String::from_utf8(bytes).map_err(|e| format!("expected UTF-8 text: {e}"))
}

/// What a non-regular file is, in words.
pub fn kind(t: &std::fs::FileType) -> &'static str {
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "something other than a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_fifos_folders_and_loops_without_blocking() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("x.toml");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        assert_eq!(read_text(&fifo).unwrap_err(), "expected a regular file, found a FIFO (named pipe)");
        assert_eq!(read_text(tmp.path()).unwrap_err(), "expected a regular file, found a folder");
        let a = tmp.path().join("a.toml");
        std::os::unix::fs::symlink(&a, &a).unwrap();
        assert!(read_text(&a).unwrap_err().contains("symbolic links"), "{:?}", read_text(&a));
        let ok = tmp.path().join("ok.toml");
        std::fs::write(&ok, "x = 1\n").unwrap();
        assert_eq!(read_text(&ok).unwrap(), "x = 1\n");
    }
}
