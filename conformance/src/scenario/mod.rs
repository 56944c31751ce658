//! Scenarios: the 401 library as data. Raw files ([`file`]) are merged with their base profile
//! (`ado_mock_server::profile::merge_overrides`), validated (`validate`) and loaded into the
//! trusted model ([`model`]).

pub mod file;
mod load;
pub mod model;
pub mod source;
mod validate;

pub use load::{Catalogue, load, load_dir};
pub use model::{
    AccountForm, AuthKind, Capability, Case, ClientSpec, Expect, Fault, Operation, Outcome, Scenario, Scheme,
    ServerSpec, UrlForm,
};
pub use source::Source;
