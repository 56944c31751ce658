//! Runner tests: the conformance runner end to end, with the scripted `fake-client`.

// Each named check failing for the right reason.
mod checks;
// Reporter outputs (terminal, results.json, junit.xml, report.html, summary.md) as snapshots.
mod reports;
// Timeouts, interruption, and two runs giving the same results.
mod lifecycle;
// Clients that flood output, kill themselves, leave daemons, or wait on stdin.
mod faults;
// Loading: canonical examples, bad files refused with file and key, baselines.
mod load;
// list, show, serve and exit codes.
mod cli;
// The built-in library from any folder; inputs refused quickly (loops, FIFOs, missing
// programs, stale baselines); ADO_PYTHON passed through.
mod anywhere;
// Root-cause groups with what to do; baseline drafts; partitions and merge.
mod ci;
// Broken pipes, SIGTERM and SIGHUP, detached processes, a journal-wiping client, --sandbox.
mod edges;
// Every disguise of a leaked secret caught (insecure) and absent from every report.
mod leaks;
// Shared helpers.
pub(crate) mod util;
