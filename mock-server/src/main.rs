//! `ado-mock-server`: a standalone mock Azure DevOps Server; see [`cli`].

mod cli;

fn main() -> std::process::ExitCode {
    cli::main_impl()
}
