//! `ado-conformance`: see the library's documentation.

fn main() -> std::process::ExitCode {
    ado_conformance::main_impl()
}
