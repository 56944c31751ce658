//! A copy of the `ado-mock-server` binary inside the tests crate, so integration tests can
//! run it through `CARGO_BIN_EXE_mock-server-dup` (nextest's dup trick). It compiles the
//! binary's own command-line module, which uses only the library's public surface.

#[path = "../../../mock-server/src/cli.rs"]
mod cli;

fn main() -> std::process::ExitCode {
    cli::main_impl()
}
