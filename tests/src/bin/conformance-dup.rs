//! A copy of the `ado-conformance` binary inside the tests crate, so integration tests can run
//! it through `CARGO_BIN_EXE_conformance-dup` (nextest's dup trick).

fn main() -> std::process::ExitCode {
    ado_conformance::main_impl()
}
