//! `ado-mock-server`: a standalone mock Azure DevOps Server; see [`cli`].

mod cli;

/// The standalone server's allocator. Every request allocates and frees a few dozen small
/// strings (its journal row, header values), often on another worker thread than the one that
/// allocated them; mimalloc's thread-local free lists serve that pattern with about half of
/// glibc malloc's CPU (BENCHMARKS.md). A program embedding the library keeps its own allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main_impl()
}
