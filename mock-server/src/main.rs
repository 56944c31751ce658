//! `ado-mock-server`: see [`ado_mock_server::cli`].

fn main() -> std::process::ExitCode {
    ado_mock_server::cli::main_impl()
}
