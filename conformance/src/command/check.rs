//! `check`: validate scenarios, manifests and baselines without running anything.

use super::now;
use crate::baseline::load_baseline;
use crate::cli::CheckArgs;
use crate::error::{ExpectedError, LoadErrors};
use crate::exit_code;
use crate::manifest::load_manifest;
use crate::scenario::load_dir;

pub(super) fn check(args: &CheckArgs) -> anyhow::Result<u8> {
    let dir = &args.scenarios.scenarios;
    let mut errors = Vec::new();
    let scenarios = match load_dir(dir, now()) {
        Ok(c) => Some(c),
        Err(LoadErrors(list)) => {
            errors.extend(list);
            None
        }
    };
    for path in &args.client {
        if let Err(e) = load_manifest(path) {
            errors.push(e);
        }
    }
    for path in &args.baseline {
        match load_baseline(path) {
            Err(e) => errors.push(e),
            Ok(b) => {
                if let Some(c) = &scenarios {
                    for entry in b.entries.iter().filter(|e| c.get(&e.scenario).is_none()) {
                        eprintln!(
                            "warning: {} names scenario `{}`, which does not exist",
                            path.display(),
                            entry.scenario
                        );
                    }
                }
            }
        }
    }
    let scenarios = match scenarios {
        Some(c) if errors.is_empty() => c,
        _ => return Err(ExpectedError::Invalid(LoadErrors(errors)).into()),
    };
    let cases: usize = scenarios.scenarios.iter().map(|s| s.server.releases.len()).sum();
    println!(
        "ok: {} scenarios ({cases} cases), {} client manifest(s), {} baseline(s)",
        scenarios.scenarios.len(),
        args.client.len(),
        args.baseline.len()
    );
    Ok(exit_code::SUCCESS)
}
