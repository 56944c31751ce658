//! What a client leaves behind: finding, killing and reaping it.
//!
//! Killing the client's process group catches what stays in the group. A process that leaves
//! it (`setsid`, a daemon's double fork) is re-parented when its parent exits; with the
//! runner marked as a *child subreaper* (`prctl(PR_SET_CHILD_SUBREAPER)`, Linux 3.4+) it is
//! re-parented to the runner instead of init, so the runner finds it among its own children.
//! Which case it came from is told by its environment: every client's environment holds its
//! case's temporary folder (HOME, TMPDIR). A process whose environment no longer says (it
//! replaced it) is charged to the case that is ending.
//!
//! Only processes whose parent is the runner are killed directly (their PIDs cannot be
//! reused before the runner reaps them), then their descendants, which are re-parented to the
//! runner in turn and killed on the next pass. Zombies among the runner's children are reaped
//! with `waitpid(pid)` for that PID only, never `waitpid(-1)`, which would steal the exit
//! status of a client tokio is waiting for; running clients are registered here for that.

use std::collections::{BTreeSet, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use nix::sys::signal::{Signal, kill, killpg};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;

use crate::checks::Leftover;

/// PIDs of running clients (direct children that tokio waits for).
static CLIENTS: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());
/// Passes over /proc before giving up on a process that will not die.
const PASSES: usize = 40;
const PAUSE: Duration = Duration::from_millis(25);

/// Marks the runner as a child subreaper; `false` where the kernel refuses (then detached
/// processes escape to init and are not found).
pub fn become_subreaper() -> bool {
    nix::sys::prctl::set_child_subreaper(true).is_ok()
}

/// The registry of running clients, locked: hold it across `spawn` and [`register`] so no
/// sweep sees the new child unregistered.
pub fn clients() -> MutexGuard<'static, BTreeSet<i32>> {
    CLIENTS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Forgets a client once tokio has reaped it.
pub fn unregister(pid: i32) {
    clients().remove(&pid);
}

/// One process, from `/proc/PID/stat`.
#[derive(Clone, Debug)]
struct Proc {
    pid: i32,
    ppid: i32,
    pgrp: i32,
    zombie: bool,
    comm: String,
}

fn scan() -> Vec<Proc> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok()).filter_map(stat).collect()
}

/// Parses `pid (comm) state ppid pgrp ...`; `comm` may hold spaces and parentheses.
fn stat(pid: i32) -> Option<Proc> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_owned();
    let mut rest = text.get(close + 1..)?.split_whitespace();
    let state = rest.next()?;
    let ppid = rest.next()?.parse().ok()?;
    let pgrp = rest.next()?.parse().ok()?;
    Some(Proc { pid, ppid, pgrp, zombie: state == "Z" || state == "X", comm })
}

/// Whether `pid`'s environment mentions `marker`; `None` when it cannot be read or is empty.
fn environ_mentions(pid: i32, marker: &str) -> Option<bool> {
    let bytes = std::fs::read(format!("/proc/{pid}/environ")).ok().filter(|b| !b.is_empty())?;
    Some(bytes.windows(marker.len()).any(|w| w == marker.as_bytes()))
}

/// Everything in the subtree below `root` (not `root` itself).
fn descendants(root: i32, all: &[Proc]) -> Vec<i32> {
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        let children: Vec<i32> =
            all.iter().filter(|p| p.ppid == parent && !out.contains(&p.pid)).map(|p| p.pid).collect();
        out.extend(&children);
        frontier.extend(children);
    }
    out
}

/// After a client of the case marked `marker` ended: kills its process group `group` and every
/// process it detached, reaps them, and returns what was still running (empty after a kill at
/// the timeout is the caller's business: it passes `count = false`).
pub async fn clean_up(group: Option<i32>, marker: &str, count: bool) -> Vec<Leftover> {
    let me = std::process::id() as i32;
    let mut left: Vec<Leftover> = Vec::new();
    let mut seen: HashSet<i32> = HashSet::new();
    if let Some(group) = group {
        for p in scan().into_iter().filter(|p| p.pgrp == group && !p.zombie && p.pid != me) {
            seen.insert(p.pid);
            left.push(Leftover { command: p.comm, detached: false });
        }
        // ESRCH (nothing left in the group) is the normal case after a clean exit.
        let _ = killpg(Pid::from_raw(group), Signal::SIGKILL);
    }
    for _ in 0..PASSES {
        // Under the registry's lock no client starts or is forgotten, so every process seen
        // here is either a registered client (skipped) or not a client at all.
        let (all, mine) = {
            let registered = clients();
            let all = scan();
            let mine: Vec<Proc> = all
                .iter()
                .filter(|p| p.ppid == me && !registered.contains(&p.pid))
                // Only what the case's environment marks. The runner has other children: the
                // in-process servers' git and KDC processes, which tokio reaps itself; reaping
                // one of their zombies here would steal its exit status (`git` then fails).
                .filter(|p| !p.zombie && environ_mentions(p.pid, marker) == Some(true))
                .cloned()
                .collect();
            (all, mine)
        };
        if mine.is_empty() {
            break;
        }
        for p in &mine {
            if seen.insert(p.pid) {
                left.push(Leftover { command: p.comm.clone(), detached: true });
            }
            for d in descendants(p.pid, &all) {
                let _ = kill(Pid::from_raw(d), Signal::SIGKILL);
            }
            let _ = kill(Pid::from_raw(p.pid), Signal::SIGKILL);
        }
        tokio::time::sleep(PAUSE).await;
    }
    if count { left } else { Vec::new() }
}

/// Kills and reaps every child of the runner that is not a running client (the end of a run,
/// or an interrupted one): nothing a client started outlives the runner.
pub fn sweep_all() {
    let me = std::process::id() as i32;
    for _ in 0..PASSES {
        let (all, strays) = {
            let registered = clients();
            let all = scan();
            let strays: Vec<Proc> =
                all.iter().filter(|p| p.ppid == me && !registered.contains(&p.pid)).cloned().collect();
            (all, strays)
        };
        if strays.is_empty() {
            return;
        }
        for p in &strays {
            if !p.zombie {
                for d in descendants(p.pid, &all) {
                    let _ = kill(Pid::from_raw(d), Signal::SIGKILL);
                }
                let _ = kill(Pid::from_raw(p.pid), Signal::SIGKILL);
            }
            let _ = waitpid(Pid::from_raw(p.pid), Some(WaitPidFlag::WNOHANG));
        }
        std::thread::sleep(PAUSE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_lines_with_awkward_names() {
        let me = stat(std::process::id() as i32).expect("own stat");
        assert_eq!(me.pid, std::process::id() as i32);
        assert!(!me.zombie && !me.comm.is_empty());
    }
}
