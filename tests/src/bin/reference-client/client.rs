//! HTTP with the configured authentication: Basic/Bearer sent pre-emptively, NTLM and
//! Negotiate handshakes with every leg on the one pooled connection.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderMap, WWW_AUTHENTICATE};

use crate::{Config, Mutant, ntlm};

/// A response, drained.
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body text.
    pub body: String,
    /// The server's certificate (DER), over https.
    pub peer_certificate: Option<Vec<u8>>,
}

impl Response {
    /// The schemes offered in `WWW-Authenticate` headers (first word of each).
    pub fn offered(&self) -> Vec<String> {
        self.headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(", "))
            .filter_map(|v| v.split_whitespace().next())
            .map(str::to_owned)
            .collect()
    }

    fn token(&self, scheme: &str) -> Option<Vec<u8>> {
        self.headers.get_all(WWW_AUTHENTICATE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
            let token = v.strip_prefix(scheme)?.strip_prefix(' ')?;
            STANDARD.decode(token.trim()).ok()
        })
    }
}

/// The client: one pooled HTTP/1.1 connection (NTLM needs it).
pub struct Client<'c> {
    config: &'c Config,
    http: reqwest::Client,
    windows_logged_on: bool,
}

/// The HTTP client: no redirects followed (a redirect is reported), TLS trusting the
/// contract's `ADO_CA_FILE` (or, for the mutants, nothing or everything).
fn new_http(config: &Config) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .http1_only()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(20))
        .tls_info(true)
        .tls_backend_preconfigured(crate::tls::client_config(config)?)
        .build()
        .map_err(|e| format!("the HTTP client does not build: {e}"))
}

impl<'c> Client<'c> {
    /// A client for the configuration.
    ///
    /// # Errors
    /// When the CA file cannot be read.
    pub fn new(config: &'c Config) -> Result<Self, String> {
        Ok(Client { config, http: new_http(config)?, windows_logged_on: false })
    }

    fn windows(&self) -> bool {
        matches!(self.config.auth.as_str(), "ntlm" | "negotiate")
    }

    fn mutant(&self, m: Mutant) -> bool {
        self.config.mutant == Some(m)
    }

    /// Sends a request, authenticating as configured.
    pub async fn send(&mut self, method: Method, url: &str, body: Option<(&[u8], &str)>) -> Result<Response, String> {
        let url = self.leak(url);
        let mut response = if self.windows() {
            self.windows_send(&method, &url, body).await?
        } else {
            let auth = self.header();
            self.raw(&self.http.clone(), &method, &url, auth, body).await?
        };
        if self.mutant(Mutant::RetryStorm) {
            for _ in 0..20 {
                if response.status != 401 {
                    break;
                }
                response = if self.windows() {
                    self.handshake(&method, &url, body).await?
                } else {
                    let auth = self.header();
                    self.raw(&self.http.clone(), &method, &url, auth, body).await?
                };
            }
        }
        Ok(response)
    }

    /// The `pat-in-url` mutant puts the PAT in the query string.
    fn leak(&self, url: &str) -> String {
        let secret = if self.config.pat.is_empty() { &self.config.access_token } else { &self.config.pat };
        if !self.mutant(Mutant::PatInUrl) || secret.is_empty() {
            return url.to_owned();
        }
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}access_token={secret}")
    }

    /// Basic, Bearer or nothing, per the configured auth (and mutant).
    fn header(&self) -> Option<String> {
        let c = self.config;
        match c.auth.as_str() {
            "pat" if self.mutant(Mutant::NoColon) => Some(format!("Basic {}", STANDARD.encode(&c.pat))),
            "pat" if self.mutant(Mutant::Bearer) => Some(format!("Bearer {}", c.pat)),
            "pat" => Some(format!("Basic {}", STANDARD.encode(format!(":{}", c.pat)))),
            "basic" => Some(format!("Basic {}", STANDARD.encode(format!("{}:{}", self.account(), c.password)))),
            "bearer" => Some(format!("Bearer {}", c.pat)),
            // The classic mistake with System.AccessToken: Basic base64(token), no ':'.
            "job-token" if self.mutant(Mutant::NoColon) => Some(format!("Basic {}", STANDARD.encode(&c.access_token))),
            "job-token" => Some(format!("Bearer {}", c.access_token)),
            _ => None,
        }
    }

    fn account(&self) -> String {
        if self.config.domain.is_empty() {
            self.config.user.clone()
        } else {
            format!("{}\\{}", self.config.domain, self.config.user)
        }
    }

    async fn raw(
        &self,
        http: &reqwest::Client,
        method: &Method,
        url: &str,
        auth: Option<String>,
        body: Option<(&[u8], &str)>,
    ) -> Result<Response, String> {
        let mut request = http.request(method.clone(), url).header("accept", "application/json");
        if let Some(value) = auth {
            request = request.header(AUTHORIZATION, value);
        }
        if let Some((content, content_type)) = body {
            request = request.header("content-type", content_type).body(content.to_vec());
        }
        let response =
            request.send().await.map_err(|e| format!("{method} {} failed: {}", strip_query(url), chain(&e)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let peer_certificate = response
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .and_then(|info| info.peer_certificate())
            .map(<[u8]>::to_vec);
        let body = response.text().await.map_err(|e| format!("reading the response failed: {e}"))?;
        Ok(Response { status, headers, body, peer_certificate })
    }

    /// NTLM/Negotiate: a handshake on the first request (as curl --ntlm does); later requests
    /// rely on the connection's logon and shake hands again only when the server asks.
    async fn windows_send(
        &mut self,
        method: &Method,
        url: &str,
        body: Option<(&[u8], &str)>,
    ) -> Result<Response, String> {
        if !self.windows_logged_on {
            return self.handshake(method, url, body).await;
        }
        let response = self.raw(&self.http.clone(), method, url, None, body).await?;
        if response.status != 401 || self.mutant(Mutant::NtlmOnce) {
            return Ok(response);
        }
        let scheme = self.scheme();
        if !response.offered().iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
            return Ok(response);
        }
        self.handshake(method, url, body).await
    }

    fn scheme(&self) -> &'static str {
        if self.config.auth == "negotiate" { "Negotiate" } else { "NTLM" }
    }

    /// NEGOTIATE, CHALLENGE, AUTHENTICATE on one connection (a new one per leg for the mutant).
    async fn handshake(&mut self, method: &Method, url: &str, body: Option<(&[u8], &str)>) -> Result<Response, String> {
        let scheme = self.scheme();
        let negotiate = self.config.auth == "negotiate";
        let first = if self.mutant(Mutant::NegotiateKerberos) {
            format!("Negotiate {}", STANDARD.encode(ntlm::kerberos_only()))
        } else if negotiate {
            format!("Negotiate {}", STANDARD.encode(ntlm::spnego_init(&ntlm::negotiate())))
        } else {
            format!("NTLM {}", STANDARD.encode(ntlm::negotiate()))
        };
        let http = self.http.clone();
        let leg2 = self.raw(&http, method, url, Some(first), body).await?;
        let Some(token) = leg2.token(scheme) else { return Ok(leg2) };
        let challenge = if negotiate { ntlm::spnego_inner(&token)? } else { token };
        let c = self.config;
        let v1 = self.mutant(Mutant::NtlmV1);
        // Extended Protection: bind the logon to this TLS channel (RFC 5929 tls-server-end-point).
        let bindings = match &leg2.peer_certificate {
            Some(cert) if !self.mutant(Mutant::NoChannelBindings) => Some(
                ado_mock_server::tls::bindings::expected_av_value(cert)
                    .map_err(|e| format!("cannot bind NTLM to the TLS channel: {e}"))?,
            ),
            _ => None,
        };
        let mut answer = ntlm::authenticate(&challenge, &c.user, &c.domain, &c.password, v1, bindings)?;
        if negotiate {
            answer = ntlm::spnego_resp(answer);
        }
        let leg3_http = if self.mutant(Mutant::NtlmNewConnection) { new_http(self.config)? } else { http };
        let value = format!("{scheme} {}", STANDARD.encode(answer));
        let response = self.raw(&leg3_http, method, url, Some(value), body).await?;
        self.windows_logged_on = response.status < 400;
        Ok(response)
    }
}

/// An error with its causes (reqwest's own text hides the TLS reason).
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// The URL without its query (queries may hold secrets in the `pat-in-url` mutant).
pub fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}
