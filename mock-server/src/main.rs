//! `ado-mock-server`: see [`ado_mock_server::cli`].

/// mimalloc: per-thread heaps instead of glibc's locked arenas, which the request path's many
/// small allocations contend on under load (BENCHMARKS.md, "authenticated throughput").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    ado_mock_server::cli::main_impl()
}
