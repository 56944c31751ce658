//! `ado-mock-server`: a standalone mock Azure DevOps Server; see [`cli`].

mod cli;

/// mimalloc (feature `mimalloc`, on by default): the request path makes a few dozen small
/// allocations, freed on other worker threads; BENCHMARKS.md has the figures.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main_impl()
}
