//! Verdicts, ordered from best to worst: `pass` < `note` < `skip` < `fail` < `insecure`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The judgement of one check or one case. A case's verdict is its worst check's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Conforming.
    Pass,
    /// Passed, with a remark (an extra round-trip, a vague message).
    Note,
    /// Not run: the client lacks a capability or operation the scenario needs.
    Skip,
    /// Not conforming.
    Fail,
    /// A credential leaked (into a URL, stdout or stderr).
    Insecure,
}

impl Verdict {
    /// Every verdict, best first.
    pub const ALL: [Verdict; 5] = [Verdict::Pass, Verdict::Note, Verdict::Skip, Verdict::Fail, Verdict::Insecure];

    /// The lowercase name used in files (`pass`, `note`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Note => "note",
            Verdict::Skip => "skip",
            Verdict::Fail => "fail",
            Verdict::Insecure => "insecure",
        }
    }

    /// Parses a lowercase name.
    pub fn from_name(name: &str) -> Option<Verdict> {
        Self::ALL.into_iter().find(|v| v.name() == name)
    }

    /// Whether the verdict fails a run that has no baseline entry for the case.
    pub fn is_failure(self) -> bool {
        self >= Verdict::Fail
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_is_the_maximum() {
        let worst = [Verdict::Note, Verdict::Insecure, Verdict::Fail].into_iter().max();
        assert_eq!(worst, Some(Verdict::Insecure));
        assert!(Verdict::Pass < Verdict::Note && Verdict::Note < Verdict::Skip && Verdict::Skip < Verdict::Fail);
        for v in Verdict::ALL {
            assert_eq!(Verdict::from_name(v.name()), Some(v));
        }
    }
}
