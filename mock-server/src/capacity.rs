//! How many connections a server can hold: the open-file limit, raised toward the hard limit at
//! start, bounds the connection limit (one descriptor a connection, a few kept for the server).
//! For programs that serve many clients, as `ado-mock-server` and `ado-conformance serve` do.

pub use crate::http::{OpenFiles, RESERVED_FDS, connection_capacity, raise_open_file_limit};
