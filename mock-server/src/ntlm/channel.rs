//! Extended Protection for Authentication: the NTLMv2 MsvAvChannelBindings check IIS applies
//! with `extendedProtection tokenChecking` (None, Allow, Require) on a TLS channel.
//!
//! Facts (docs/TLS.md): bindings "omitted or entirely zeroes" count as absent (Windows'
//! `SEC_CHANNEL_BINDINGS_RESULT_ABSENT`); Allow accepts absent bindings but refuses wrong ones;
//! Require refuses both (IIS configuration reference, `<extendedProtection>`). The check runs
//! after the response verified: the AV pair sits in the blob the NTProofStr covers, so an
//! unverified blob says nothing. Over plain http there is no channel to bind to.

use serde::{Deserialize, Serialize};

use super::crypto::ct_eq;
use super::message::av_pair::{self, AvPair};
use crate::profile::ExtendedProtection;

/// What the acceptor checks on one connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChannelBindingCheck {
    /// IIS's `tokenChecking`.
    pub token_checking: ExtendedProtection,
    /// What MsvAvChannelBindings must hold on this TLS connection; `None` over plain http.
    pub expected: Option<[u8; 16]>,
}

/// What the client's MsvAvChannelBindings said (recorded in the journal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BindingsSeen {
    /// No MsvAvChannelBindings pair (curl, ntlmclient, NTLMv1).
    Absent,
    /// The pair is 16 zero bytes: a client with no channel to bind (counts as absent).
    Zeros,
    /// The pair matches this TLS channel.
    Matched,
    /// The pair does not match this TLS channel (another certificate, a proxy in between).
    Mismatched,
    /// Sent over plain http: there is no channel, so nothing was compared.
    Unchecked,
}

impl BindingsSeen {
    /// What the client's AV pairs carry, against `expected` (`None`: plain http).
    pub fn of(pairs: &[AvPair<'_>], expected: Option<[u8; 16]>) -> Self {
        let Some(pair) = pairs.iter().find(|p| p.id == av_pair::CHANNEL_BINDINGS) else { return Self::Absent };
        if pair.value.iter().all(|&b| b == 0) {
            return Self::Zeros;
        }
        match expected {
            None => Self::Unchecked,
            Some(expected) if ct_eq(&expected, pair.value) => Self::Matched,
            Some(_) => Self::Mismatched,
        }
    }

    /// Whether the client sent real (non-zero) bindings.
    pub fn sent(self) -> bool {
        matches!(self, Self::Matched | Self::Mismatched | Self::Unchecked)
    }

    /// The spelling in the journal.
    pub fn name(self) -> &'static str {
        match self {
            Self::Absent => "absent",
            Self::Zeros => "zeros",
            Self::Matched => "matched",
            Self::Mismatched => "mismatched",
            Self::Unchecked => "unchecked",
        }
    }
}

/// The refusal Extended Protection makes, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingRefusal {
    /// Require, and the client bound nothing.
    Missing,
    /// Allow or Require, and the client bound another channel.
    Mismatch,
}

impl ChannelBindingCheck {
    /// IIS's verdict on what the client sent.
    pub fn judge(&self, seen: BindingsSeen) -> Option<BindingRefusal> {
        // Over plain http there is no channel to bind to.
        self.expected?;
        match (self.token_checking, seen) {
            (ExtendedProtection::None, _) => None,
            (_, BindingsSeen::Mismatched) => Some(BindingRefusal::Mismatch),
            (ExtendedProtection::Require, BindingsSeen::Absent | BindingsSeen::Zeros) => Some(BindingRefusal::Missing),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs_with(value: Option<[u8; 16]>) -> Vec<u8> {
        let mut list = Vec::new();
        av_pair::push_text(&mut list, av_pair::NB_DOMAIN, "CONTOSO");
        if let Some(v) = value {
            av_pair::push_raw(&mut list, av_pair::CHANNEL_BINDINGS, &v);
        }
        av_pair::push_raw(&mut list, av_pair::EOL, &[]);
        list
    }

    #[test]
    fn what_the_client_sent() {
        let right = [7u8; 16];
        let cases = [
            (None, Some(right), BindingsSeen::Absent),
            (Some([0; 16]), Some(right), BindingsSeen::Zeros),
            (Some(right), Some(right), BindingsSeen::Matched),
            (Some([8; 16]), Some(right), BindingsSeen::Mismatched),
            (Some([8; 16]), None, BindingsSeen::Unchecked),
            (None, None, BindingsSeen::Absent),
        ];
        for (sent, expected, seen) in cases {
            let list = pairs_with(sent);
            assert_eq!(BindingsSeen::of(&av_pair::parse(&list), expected), seen, "{sent:?} {expected:?}");
        }
    }

    #[test]
    fn none_allow_require() {
        use BindingsSeen::*;
        use ExtendedProtection as Ep;
        let tls = |token_checking| ChannelBindingCheck { token_checking, expected: Some([1; 16]) };
        let table = [
            (Ep::None, [None, None, None, None]),
            (Ep::Allow, [None, None, None, Some(BindingRefusal::Mismatch)]),
            (
                Ep::Require,
                [Some(BindingRefusal::Missing), Some(BindingRefusal::Missing), None, Some(BindingRefusal::Mismatch)],
            ),
        ];
        for (mode, verdicts) in table {
            for (seen, verdict) in [Absent, Zeros, Matched, Mismatched].into_iter().zip(verdicts) {
                assert_eq!(tls(mode).judge(seen), verdict, "{mode:?} {seen:?}");
            }
        }
        let plain = ChannelBindingCheck { token_checking: Ep::Require, expected: None };
        assert_eq!(plain.judge(Absent), None, "no channel over plain http");
    }
}
