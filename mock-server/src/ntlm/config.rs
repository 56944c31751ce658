//! Settings of the emulated Windows server.

/// Settings of the emulated Windows server (from the profile's `[ntlm]` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptorConfig {
    /// NetBIOS domain name, e.g. "CONTOSO"; also the CHALLENGE's TargetName.
    pub nb_domain: String,
    /// NetBIOS computer name, e.g. "TFS01".
    pub nb_computer: String,
    /// DNS domain name, e.g. "contoso.local".
    pub dns_domain: String,
    /// DNS computer name, e.g. "tfs01.contoso.local".
    pub dns_computer: String,
    /// DNS forest name, e.g. "contoso.local".
    pub dns_tree: String,
    /// Whether NTLMv1 NT responses (plain or ESS) are accepted; LM-only never is.
    pub accept_v1: bool,
}

impl AcceptorConfig {
    /// The CONTOSO/TFS01 example used in tests and docs.
    pub fn example() -> Self {
        Self {
            nb_domain: "CONTOSO".to_owned(),
            nb_computer: "TFS01".to_owned(),
            dns_domain: "contoso.local".to_owned(),
            dns_computer: "tfs01.contoso.local".to_owned(),
            dns_tree: "contoso.local".to_owned(),
            accept_v1: true,
        }
    }
}
