//! What a server's answers say about it, pure: the challenge set and order (IIS Anonymous,
//! Windows providers, IIS Basic, TFS's Bearer and Basic), the headers TFS adds per release
//! (docs/facts/release-defaults.md, restated in docs/PROFILES.md `[tfs]`), the error-body
//! format, the `Server` header, the location table's `maxVersion` and TFS's page titles. Shared
//! by `ado-mock-server probe` (answers it asked for) and `ado-conformance import` (answers in a
//! customer's HAR).

use crate::api_version::ApiVersion;
use crate::profile::{ErrorBody, Release, SoapEncoding, TfsSettings, default_iis_version};

/// One HTTP answer as seen on the wire.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    /// The status.
    pub status: u16,
    /// Header names (any case) and values, in wire order.
    pub headers: Vec<(String, String)>,
    /// The body as text (may be cut short).
    pub body: String,
}

impl Observed {
    /// The status and headers of `response` (names lower-case, values lossily as text, in
    /// order), with `body`.
    pub fn of(response: &reqwest::Response, body: String) -> Self {
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        Observed { status: response.status().as_u16(), headers, body }
    }
}

impl Observed {
    /// Every value of a header, in order (names compared case-insensitively).
    pub fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.all(name).next()
    }

    /// Whether a TFS module produced or finished this answer (its process id header).
    pub fn from_tfs(&self) -> bool {
        self.header("x-tfs-processid").is_some()
    }

    /// IIS's own 404 for a path outside the TFS application (no TFS header at all).
    pub fn outside_application(&self) -> bool {
        self.status == 404 && !self.from_tfs()
    }
}

/// The challenge set of one 401, read in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Challenges {
    /// `Bearer` offered (TFS's OAuth module).
    pub bearer: bool,
    /// TFS's `Basic realm="<public URL>"`, with the realm.
    pub tfs_basic: Option<String>,
    /// IIS Basic's `Basic realm="<host>"`, with the realm.
    pub iis_basic: Option<String>,
    /// Windows providers (`Negotiate`, `NTLM`) in the order offered.
    pub providers: Vec<String>,
}

impl Challenges {
    /// Reads every `WWW-Authenticate` of `answer`. A Basic realm that is a URL is TFS's (its
    /// public URL); any other realm is IIS Basic's (a host name).
    pub fn of(answer: &Observed) -> Challenges {
        let mut out = Challenges::default();
        for value in answer.all("www-authenticate") {
            let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
            if scheme.eq_ignore_ascii_case("bearer") {
                out.bearer = true;
            } else if scheme.eq_ignore_ascii_case("basic") {
                let realm = rest.trim().strip_prefix("realm=").unwrap_or("").trim_matches('"').to_owned();
                if realm.starts_with("http://") || realm.starts_with("https://") {
                    out.tfs_basic = Some(realm);
                } else {
                    out.iis_basic = Some(realm);
                }
            } else if ["negotiate", "ntlm"].contains(&scheme.to_ascii_lowercase().as_str()) && rest.trim().is_empty() {
                out.providers.push(if scheme.eq_ignore_ascii_case("ntlm") { "NTLM" } else { "Negotiate" }.to_owned());
            }
        }
        out
    }
}

/// What the `[iis]` table of a reproduction should say; `None`: not shown by the answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IisSeen {
    /// IIS Anonymous authentication.
    pub anonymous: Option<bool>,
    /// IIS Windows authentication.
    pub windows: Option<bool>,
    /// Windows providers in order.
    pub providers: Vec<String>,
    /// IIS Basic authentication.
    pub basic: Option<bool>,
    /// IIS Basic's realm.
    pub basic_realm: Option<String>,
    /// The IIS version from `Server: Microsoft-IIS/<version>`.
    pub version: Option<String>,
    /// IIS's detailed error pages.
    pub detailed_errors: Option<bool>,
}

/// What the `[tfs]` table should say; `None`: not shown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TfsSeen {
    /// `Bearer` challenge.
    pub bearer_challenge: Option<bool>,
    /// TFS's `Basic realm` challenge.
    pub basic_challenge: Option<bool>,
    /// The error body for a JSON client without api-version.
    pub errors_without_api_version: Option<ErrorBody>,
    /// The CORS block.
    pub cors_headers: Option<bool>,
    /// `ActivityId`, `X-TFS-Session`, `X-VSS-E2EID`.
    pub activity_headers: Option<bool>,
    /// `X-VSS-SenderDeploymentId`.
    pub deployment_id_header: Option<bool>,
    /// `Tfs-SessionId` cookies.
    pub session_cookies: Option<bool>,
    /// `X-TFS-SoapException`'s percent-encoding.
    pub soap_exception_encoding: Option<SoapEncoding>,
}

/// Everything learnt about one server, merged over its answers.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// `[iis]`.
    pub iis: IisSeen,
    /// `[tfs]`.
    pub tfs: TfsSeen,
    /// TFS's realm (the public URL) as offered.
    pub realm: Option<String>,
    /// The highest `maxVersion` of the location table.
    pub ceiling: Option<ApiVersion>,
    /// Location ids of the deployment-level table, when seen.
    pub locations: Option<Vec<String>>,
    /// The product named by a TFS page title (`Team Foundation Server 2018`, ...).
    pub product: Option<String>,
}

impl Evidence {
    /// Learns from one answer `request_accept` (the request's `Accept`) and whether the request
    /// carried an api-version and a credential.
    pub fn learn(&mut self, answer: &Observed, accept: &str, api_version: bool, credential: bool) {
        if let Some(server) = answer.header("server")
            && let Some(version) = server.strip_prefix("Microsoft-IIS/")
        {
            self.iis.version = Some(version.to_owned());
        }
        if !answer.from_tfs() {
            return;
        }
        let tfs = &mut self.tfs;
        tfs.activity_headers = Some(answer.header("activityid").is_some());
        tfs.cors_headers = Some(answer.header("access-control-allow-origin").is_some());
        tfs.deployment_id_header = Some(answer.header("x-vss-senderdeploymentid").is_some());
        tfs.session_cookies = Some(answer.all("set-cookie").any(|c| c.starts_with("Tfs-SessionId=")));
        if let Some(soap) = answer.header("x-tfs-soapexception") {
            if soap.contains("%3c") {
                tfs.soap_exception_encoding = Some(SoapEncoding::Lower);
            } else if soap.contains("%3C") {
                tfs.soap_exception_encoding = Some(SoapEncoding::Upper);
            }
        }
        let content_type = answer.header("content-type").unwrap_or("").to_ascii_lowercase();
        let tfs_error = answer.header("x-tfs-serviceerror").is_some();
        if tfs_error && !api_version && accept.contains("json") && !accept.contains("html") {
            tfs.errors_without_api_version = match content_type {
                t if t.starts_with("text/plain") => Some(ErrorBody::Text),
                t if t.contains("json") => Some(ErrorBody::Json),
                _ => tfs.errors_without_api_version,
            };
        }
        if let Some(product) = page_product(&answer.body) {
            self.product = Some(product);
        }
        if answer.status == 401 && !credential {
            self.learn_challenges(answer, tfs_error);
        }
    }

    fn learn_challenges(&mut self, answer: &Observed, tfs_error: bool) {
        let seen = Challenges::of(answer);
        let iis = &mut self.iis;
        // TFS answered an anonymous request itself: IIS let it through anonymously.
        iis.anonymous = Some(tfs_error);
        iis.windows = Some(!seen.providers.is_empty());
        iis.providers = seen.providers.clone();
        iis.basic = Some(seen.iis_basic.is_some());
        iis.basic_realm = seen.iis_basic.clone();
        if !tfs_error {
            iis.detailed_errors = Some(answer.body.contains("Detailed Error Information"));
        }
        self.tfs.bearer_challenge = Some(seen.bearer);
        // TFS's Basic is only visible on its own anonymous 401 with IIS Basic off.
        if tfs_error && seen.iis_basic.is_none() {
            self.tfs.basic_challenge = Some(seen.tfs_basic.is_some());
        }
        if seen.tfs_basic.is_some() {
            self.realm = seen.tfs_basic;
        }
    }

    /// Learns the location table (`OPTIONS _apis`' JSON: `{"count": n, "value": [{id,
    /// maxVersion, ...}]}`), deployment level when `deployment`.
    pub fn learn_locations(&mut self, body: &str, deployment: bool) {
        let Ok(json) = serde_json::from_str::<serde_json::Value>(body) else { return };
        let Some(rows) = json.get("value").and_then(serde_json::Value::as_array) else { return };
        let versions = rows.iter().filter_map(|r| r.get("maxVersion")?.as_str()).filter_map(ApiVersion::parse);
        self.ceiling = versions.max_by_key(|v| v.number()).or(self.ceiling);
        if deployment {
            let mut ids: Vec<String> = rows.iter().filter_map(|r| Some(r.get("id")?.as_str()?.to_owned())).collect();
            ids.sort();
            self.locations = Some(ids);
        }
    }

    /// The releases consistent with everything seen, oldest first.
    pub fn candidates(&self) -> Vec<Release> {
        Release::ALL.into_iter().filter(|r| self.fits(*r)).collect()
    }

    /// The release to emulate: the oldest candidate, or (when the answers contradict every
    /// release's defaults, as a customised server's may) the oldest release matching the ceiling
    /// and locations alone, with the `[tfs]` keys written explicitly anyway.
    pub fn release(&self) -> Release {
        let by_rest = |r: &Release| {
            self.ceiling.is_none_or(|c| r.api_ceiling() == c)
                && self.locations.as_ref().is_none_or(|ids| deployment_locations(*r) == *ids)
        };
        self.candidates()
            .first()
            .copied()
            .or_else(|| Release::ALL.into_iter().find(by_rest))
            .unwrap_or(Release::Ads2022)
    }

    fn fits(&self, release: Release) -> bool {
        let d = TfsSettings::defaults(release);
        let t = &self.tfs;
        let same = |seen: Option<bool>, default: bool| seen.is_none_or(|s| s == default);
        same(t.basic_challenge, d.basic_challenge)
            && same(t.cors_headers, d.cors_headers)
            && same(t.activity_headers, d.activity_headers)
            && same(t.deployment_id_header, d.deployment_id_header)
            && same(t.session_cookies, d.session_cookies)
            && t.errors_without_api_version.is_none_or(|e| e == d.errors_without_api_version)
            && t.soap_exception_encoding.is_none_or(|e| e == d.soap_exception_encoding)
            && self.iis.version.as_deref().is_none_or(|v| v == default_iis_version(release))
            && self.ceiling.is_none_or(|c| release.api_ceiling() == c)
            && self.locations.as_ref().is_none_or(|ids| deployment_locations(release) == *ids)
            && self.product.as_deref().is_none_or(|p| p == release.product())
    }
}

/// The sorted location ids a release registers at the deployment level.
pub fn deployment_locations(release: Release) -> Vec<String> {
    let mut ids: Vec<String> =
        crate::rest::locations::locations(release, false, None).into_iter().map(|l| l.id.to_owned()).collect();
    ids.sort();
    ids
}

/// The product in a TFS error page's title (`<title>{message} - {product}</title>`).
fn page_product(body: &str) -> Option<String> {
    let start = body.find("<title>")? + "<title>".len();
    let title = &body[start..start + body[start..].find("</title>")?];
    let product = title.rsplit(" - ").next()?.trim();
    let known = Release::ALL.iter().any(|r| r.product() == product);
    known.then(|| product.to_owned())
}
