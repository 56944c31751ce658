//! The HTTP adapters around the decision: facts from requests, responses from decisions, the
//! accept loop and the shared state.

mod app;
pub mod extract;
mod limit_rows;
mod limits;
mod pages;
pub mod respond;
mod serve;
mod state;

pub use app::{respond_to, router};
pub use limits::{Limits, OpenFiles, RESERVED_FDS, connection_capacity, open_file_limit, raise_open_file_limit};
pub use respond::{FixedHeaders, RenderContext, render, render_rest, url_encode};
pub use serve::{run, run_plain};
pub use state::{AppState, Clock, ConnSlot, system_clock};

/// RFC 3986 percent-encoding of a URL component (how a client would put a secret in a URL).
pub fn url_encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
    out
}
