//! Server profiles: the TOML model of one emulated server, validated at load.

mod file;
mod index;
mod load;
#[cfg(test)]
mod load_tests;
mod merge;
mod model;
mod release;
mod scopes;
mod tfs;

pub use file::ProfileFile;
pub use index::BareName;
pub use load::{derive_token, derived_id, is_pat_syntax};
pub use merge::merge_overrides;
pub use model::{
    Account, Collection, ErrorBody, Group, GroupScope, Identity, Iis, JobToken, NtlmBlocking, NtlmSettings, Pat,
    PatCollection, Profile, Project, Provider, Repo, SoapEncoding, TfsSettings, group_names,
};
pub use release::Release;
pub use scopes::{FULL_ACCESS, ScopeTable};
pub use tfs::{default_iis_version, signing_key};

/// The default profile (`scenarios/profiles/default.toml`), embedded.
pub const DEFAULT_PROFILE: &str = include_str!("../../../scenarios/profiles/default.toml");
