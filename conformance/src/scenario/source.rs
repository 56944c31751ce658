//! Where scenarios come from: the library built into the binary (the default, so the runner
//! works from any folder and after `cargo install`), or a folder given with `--scenarios DIR`.
//!
//! A folder is walked with `walkdir`, following symbolic links but refusing loops (a link to
//! an ancestor, links pointing at each other) and anything named `*.toml` that is not a
//! regular file (a FIFO would block `read`): each is an error naming the path, reported at
//! once instead of looping or hanging.

use std::fmt;
use std::path::{Path, PathBuf};

use include_dir::{Dir, DirEntry, include_dir};

use crate::error::{LoadError, LoadErrors};
use crate::files::{kind, read_text};

const WHAT: &str = "scenario";
/// How deep a scenarios folder may nest (areas are one level deep today).
const MAX_DEPTH: usize = 16;

/// The repository's `scenarios/` folder at build time. `build.rs` makes Cargo rebuild the
/// crate when a file is added there, so new scenarios are picked up without code changes.
pub static LIBRARY: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../scenarios");

/// Where a catalogue was loaded from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The library built into the binary.
    BuiltIn,
    /// A folder (`--scenarios DIR`), with profiles in `DIR/profiles/`.
    Dir(PathBuf),
}

impl Source {
    /// `--scenarios DIR` if given, else the built-in library.
    pub fn from_arg(dir: Option<PathBuf>) -> Self {
        dir.map_or(Source::BuiltIn, Source::Dir)
    }

    /// The arguments that select this source again on a command line (empty for the built-in
    /// library), for reproduction commands such as `ado-conformance serve ID`.
    pub fn cli_args(&self) -> String {
        match self {
            Source::BuiltIn => String::new(),
            Source::Dir(dir) => format!(" --scenarios {}", shell_word(&dir.display().to_string())),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::BuiltIn => f.write_str("the built-in library"),
            Source::Dir(dir) => write!(f, "{}", dir.display()),
        }
    }
}

/// `text` quoted for a POSIX shell when it needs it.
pub fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_' | b':' | b'+' | b','));
    if plain { text.to_owned() } else { format!("'{}'", text.replace('\'', r"'\''")) }
}

/// One scenario file: its path below the source (`pat/missing-colon.toml`), the path shown
/// in messages, and its text.
#[derive(Debug)]
pub struct SourceFile {
    /// Relative to the source's root; the id is this without `.toml`.
    pub relative: PathBuf,
    /// As shown to the user (a real path, or `built-in:scenarios/...`).
    pub shown: PathBuf,
    /// The text, or why it could not be read.
    pub text: Result<String, String>,
}

/// Every scenario file of `source` (`*.toml` outside the top-level `profiles/`), sorted.
///
/// # Errors
/// Loops, non-regular `*.toml` entries and unreadable folders, each naming its path.
pub fn scenario_files(source: &Source) -> Result<Vec<SourceFile>, LoadErrors> {
    match source {
        Source::BuiltIn => {
            let mut out = Vec::new();
            builtin_files(&LIBRARY, &mut out);
            out.sort_by(|a, b| a.relative.cmp(&b.relative));
            Ok(out)
        }
        Source::Dir(dir) => disk_files(dir),
    }
}

/// The text of profile `name` (`profiles/<name>.toml`) of `source`.
///
/// # Errors
/// What was expected, naming the path.
pub fn profile_text(source: &Source, name: &str) -> Result<String, String> {
    let relative = format!("profiles/{name}.toml");
    match source {
        Source::BuiltIn => LIBRARY
            .get_file(&relative)
            .and_then(include_dir::File::contents_utf8)
            .map(str::to_owned)
            .ok_or_else(|| format!("expected a profile `{name}` in the built-in library (scenarios/{relative})")),
        Source::Dir(dir) => {
            let path = dir.join(&relative);
            read_text(&path).map_err(|e| format!("expected a profile at {}: {e}", path.display()))
        }
    }
}

fn builtin_files(dir: &'static Dir<'static>, out: &mut Vec<SourceFile>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(sub) if sub.path() == Path::new("profiles") => {}
            DirEntry::Dir(sub) => builtin_files(sub, out),
            DirEntry::File(file) if is_toml(file.path()) => out.push(SourceFile {
                relative: file.path().to_owned(),
                shown: Path::new("built-in:scenarios").join(file.path()),
                text: file.contents_utf8().map(str::to_owned).ok_or_else(|| "expected UTF-8 text".to_owned()),
            }),
            DirEntry::File(_) => {}
        }
    }
}

fn is_toml(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}

fn disk_files(dir: &Path) -> Result<Vec<SourceFile>, LoadErrors> {
    let top = std::fs::metadata(dir).map_err(|e| LoadError::file(WHAT, dir, format!("cannot read the folder: {e}")))?;
    if !top.is_dir() {
        return Err(LoadError::file(
            WHAT,
            dir,
            format!("expected a scenarios folder, found {}", kind(&top.file_type())),
        )
        .into());
    }
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !(e.depth() == 1 && e.file_name() == "profiles" && e.file_type().is_dir()));
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_dir() || !is_toml(e.path()) => {}
            Ok(e) if e.file_type().is_file() => files.push(SourceFile {
                relative: e.path().strip_prefix(dir).unwrap_or(e.path()).to_owned(),
                shown: e.path().to_owned(),
                text: read_text(e.path()),
            }),
            Ok(e) => errors.push(LoadError::file(
                WHAT,
                e.path(),
                format!("expected a regular file, found {}", kind(&e.file_type())),
            )),
            Err(e) => {
                if let Some(error) = walk_error(dir, &e) {
                    errors.push(error);
                }
            }
        }
    }
    if errors.is_empty() { Ok(files) } else { Err(LoadErrors(errors)) }
}

/// A walk error as a load error; `None` for a dangling link whose name is not `*.toml`
/// (a stale README link must not break the library).
fn walk_error(dir: &Path, e: &walkdir::Error) -> Option<LoadError> {
    let path = e.path().unwrap_or(dir).to_owned();
    if let Some(ancestor) = e.loop_ancestor() {
        let message = format!("symbolic-link loop: it points back to {}", ancestor.display());
        return Some(LoadError::file(WHAT, path, message));
    }
    let io = e.io_error();
    let dangling = io.is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound);
    if dangling && !is_toml(&path) {
        return None;
    }
    let why = io.map_or_else(|| e.to_string(), ToString::to_string);
    Some(LoadError::file(WHAT, path, format!("cannot read: {why}")))
}
