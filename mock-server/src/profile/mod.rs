//! Server profiles: the TOML model of one emulated server, validated at load.

mod file;
mod kerberos;
mod load;
#[cfg(test)]
mod load_tests;
mod merge;
mod model;
mod release;
mod scopes;

pub use file::ProfileFile;
pub use kerberos::{KerberosSettings, MACHINE, SpnHolder, machine_password};
pub use load::{derive_token, derived_id, is_pat_syntax};
pub use merge::merge_overrides;
pub use model::{
    Account, Collection, Group, GroupScope, Identity, Iis, NtlmSettings, Pat, PatCollection, Profile, Project,
    Provider, Repo, group_names,
};
pub use release::Release;
pub use scopes::{FULL_ACCESS, ScopeTable};

/// The default profile (`scenarios/profiles/default.toml`), embedded.
pub const DEFAULT_PROFILE: &str = include_str!("../../../scenarios/profiles/default.toml");
