//! `check`: validate scenarios, manifests (their program must exist) and baselines (every
//! entry must name a scenario of the library) without running anything.

use super::now;
use crate::baseline::load_baseline;
use crate::cli::CheckArgs;
use crate::error::{ExpectedError, LoadErrors};
use crate::exit_code;
use crate::manifest::load_manifest;
use crate::out;
use crate::scenario::load;

pub(super) fn check(args: &CheckArgs) -> anyhow::Result<u8> {
    let source = args.scenarios.source();
    let mut errors = Vec::new();
    let scenarios = match load(&source, now()) {
        Ok(c) => Some(c),
        Err(LoadErrors(list)) => {
            errors.extend(list);
            None
        }
    };
    let path_var = std::env::var("PATH").ok();
    for path in &args.client {
        match load_manifest(path) {
            Ok(m) => errors.extend(m.require_program(path_var.as_deref()).err()),
            Err(e) => errors.push(e),
        }
    }
    for path in &args.baseline {
        match load_baseline(path) {
            Err(e) => errors.push(e),
            Ok(b) => errors.extend(scenarios.as_ref().map(|c| b.stale_entries(c)).unwrap_or_default()),
        }
    }
    let scenarios = match scenarios {
        Some(c) if errors.is_empty() => c,
        _ => return Err(ExpectedError::Invalid(LoadErrors(errors)).into()),
    };
    let cases: usize = scenarios.scenarios.iter().map(|s| s.server.releases.len()).sum();
    out::stdout(&format!(
        "ok: {} scenarios ({cases} cases), {} client manifest(s), {} baseline(s)\n",
        scenarios.scenarios.len(),
        args.client.len(),
        args.baseline.len()
    ));
    Ok(exit_code::SUCCESS)
}
