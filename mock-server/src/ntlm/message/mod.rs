//! NTLMSSP messages: NEGOTIATE and AUTHENTICATE parsers, the CHALLENGE builder.
//!
//! Every parser works on untrusted bytes: lengths and offsets are checked
//! against the message before anything is read or allocated.

pub mod authenticate;
pub mod av_pair;
pub mod challenge;
pub mod negotiate;
pub mod wire;

pub use authenticate::{Authenticate, build_authenticate, parse_authenticate};
pub use challenge::{Challenge, build_challenge, choose_flags, parse_challenge};
pub use negotiate::{Negotiate, parse_negotiate};
pub use wire::message_type;
