//! The engine: runs cases in parallel, each against its own mock server, and emits events.
//! It formats nothing; reporters ([`crate::report`]) turn the events into output.
//!
//! - [`cancel`]: the flag SIGINT, SIGTERM and SIGHUP set, shared with running cases.
//! - [`child`]: spawning a client in its own process group with a timeout.
//! - [`case`]: one case end to end (server, HOME, client, checks).
//! - [`assemble`]: the redacted result and the baseline comparison.
//! - [`reaper`]: processes a client leaves behind, found (as a child subreaper) and killed.
//! - [`sandbox`]: `--sandbox`, each client in bubblewrap namespaces.
//! - [`kerberos`]: a Kerberos case's own KDC and the client's ticket cache.

pub mod assemble;
pub mod cancel;
pub mod case;
pub mod child;
pub mod kerberos;
pub mod reaper;
pub mod sandbox;

use std::sync::Arc;
use std::time::Instant;

use tokio::task::JoinSet;

pub use cancel::{Cancel, CancelSource, cancel_pair};
pub use case::RunContext;

use crate::report::{Event, ReportError, Reporter, RunStarted};
use crate::result::{CaseResult, ClientInfo, Totals};
use crate::scenario::Case;

/// What to run.
#[derive(Debug)]
pub struct RunPlan {
    /// The cases, in the order to start them.
    pub cases: Vec<Case>,
    /// What the cases share.
    pub context: RunContext,
    /// How many cases run at once (at least 1).
    pub jobs: usize,
    /// Which part of the suite the cases are (`--partition`), recorded in the reports.
    pub partition: Option<crate::result::PartitionRecord>,
}

/// The engine failed (not a client: a client's failure is a verdict).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A reporter could not write.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A case task panicked: a bug in the runner.
    #[error("a case panicked (a bug in ado-conformance): {0}")]
    Panicked(String),
}

/// Runs the plan, reporting each finished case; stops starting cases once `cancel` is set and
/// still reports what finished.
///
/// # Errors
/// [`RunError`] when a reporter cannot write or a case panics.
pub async fn run(plan: RunPlan, reporter: &mut dyn Reporter, cancel: Cancel) -> Result<Totals, RunError> {
    let started = Instant::now();
    // Processes a client detaches (setsid, double fork) are re-parented to the runner, which
    // then finds and kills them (see `reaper`).
    let _ = reaper::become_subreaper();
    let jobs = plan.jobs.max(1);
    let planned = plan.cases.len();
    let client =
        ClientInfo { name: plan.context.manifest.name.clone(), timeout_s: plan.context.manifest.timeout.as_secs() };
    let labels = plan.cases.iter().map(Case::label).collect();
    reporter.report(&Event::RunStarted(RunStarted { client, cases: labels, jobs, partition: plan.partition }))?;
    let ctx = Arc::new(plan.context);
    let mut queue = plan.cases.into_iter();
    let mut running = JoinSet::new();
    let mut results: Vec<CaseResult> = Vec::new();
    loop {
        while running.len() < jobs && !cancel.is_cancelled() {
            let Some(case) = queue.next() else { break };
            running.spawn(case::run_case(case, Arc::clone(&ctx), cancel.clone()));
        }
        let Some(joined) = running.join_next().await else { break };
        match joined {
            Ok(Some(result)) => {
                reporter.report(&Event::CaseFinished(Box::new(result.clone())))?;
                results.push(result);
            }
            Ok(None) => {}
            Err(e) => {
                running.abort_all();
                while running.join_next().await.is_some() {}
                reaper::sweep_all();
                return Err(RunError::Panicked(e.to_string()));
            }
        }
    }
    reaper::sweep_all();
    let interrupted = results.len() < planned && cancel.is_cancelled();
    let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let totals = Totals::count(&results, planned, interrupted, elapsed);
    reporter.report(&Event::RunFinished(totals.clone()))?;
    Ok(totals)
}
