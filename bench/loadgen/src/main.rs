//! `bench-loadgen`: the bench's own load generator (see bench/README.md).
//!
//! - `ntlm`: full NTLM handshakes (NEGOTIATE -> 401 CHALLENGE -> AUTHENTICATE -> 200), each on a
//!   fresh TCP connection, `--concurrency` at a time for `--seconds`.
//! - `fresh`: `--requests` plain requests with `--header` on each fresh connection; with 2 it is
//!   the handshake's baseline (same connections and round trips, no NTLM).
//! - `--tls CA_FILE` (both modes): every connection is TLS, trusting that CA, with a full
//!   handshake each time (session resumption off).
//! - `startup`: spawns the command after `--`, polls `--addr` until a request is answered, and
//!   prints the time since the spawn.
//!
//! Every line printed is `key=value` pairs for the scripts to read.

mod args;
mod http;
mod load;
mod startup;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut argv = std::env::args().skip(1);
    let mode = argv.next().unwrap_or_default();
    let args = match args::Args::parse(argv) {
        Ok(args) => args,
        Err(error) => return fail(&error),
    };
    let outcome = match mode.as_str() {
        "ntlm" | "fresh" => load::run(&mode, &args),
        "startup" => startup::run(&args),
        _ => Err("usage: bench-loadgen ntlm|fresh|startup [--key value ...] [-- command ...]".to_owned()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

fn fail(error: &str) -> ExitCode {
    eprintln!("bench-loadgen: {error}");
    ExitCode::from(2)
}
