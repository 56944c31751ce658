//! A copy of the `ado-mock-server` binary inside the tests crate, so integration tests can
//! run it through `CARGO_BIN_EXE_mock-server-dup` (nextest's dup trick).

fn main() -> std::process::ExitCode {
    ado_mock_server::cli::main_impl()
}
