//! Decisions to HTTP responses: the only code that knows header spellings, status lines and
//! body formats. Pure (ids and realms come in through [`RenderContext`]), so every reason's
//! full response can be snapshot-tested.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use uuid::Uuid;

use super::pages;
use crate::auth::{AcceptFacts, Answer, Body as AnswerBody, Challenge, IisModule, ServiceError};
use crate::profile::{ErrorBody, Profile, Provider, SoapEncoding};
use crate::rest::RestResponse;

/// Everything a response needs besides the decision.
pub struct RenderContext<'a> {
    /// The emulated server (release, `[tfs]` headers, IIS version and error mode).
    pub profile: &'a Profile,
    /// TFS's Basic realm (the public URL).
    pub realm: &'a str,
    /// The `Host` the client addressed (IIS Basic's realm).
    pub host: &'a str,
    /// The path as requested (IIS's detailed error page shows the URL).
    pub path: &'a str,
    /// The query string, if any.
    pub query: Option<&'a str>,
    /// The header values fixed for the server's life (`Server`, `X-TFS-ProcessId`,
    /// `X-VSS-SenderDeploymentId`), rendered once.
    pub fixed: &'a FixedHeaders,
    /// `ActivityId` and `X-VSS-E2EID`.
    pub activity_id: Uuid,
    /// The client's `X-TFS-Session`, echoed.
    pub session: Option<&'a str>,
    /// What the client accepts.
    pub accept: &'a AcceptFacts,
    /// The api-version major the client asked for (`None`: it sent none, or an unreadable one).
    pub api_major: Option<u16>,
    /// Unix seconds now (TFS 2015's `Tfs-SessionActive` cookie).
    pub now: i64,
}

type Resp = Response<Body>;

/// Header values that stay the same for a server's life, rendered once at start instead of on
/// every response. Read-only once built: the REST template below is derived from the others.
#[derive(Clone, Debug)]
pub struct FixedHeaders {
    /// `Server: Microsoft-IIS/<[iis] version>`.
    server: HeaderValue,
    /// `X-TFS-ProcessId`: the process id, a random UUID per start.
    process_id: HeaderValue,
    /// `X-VSS-SenderDeploymentId`: the deployment id.
    deployment_id: HeaderValue,
    /// Every header of an allowed request's answer ([`render_rest`]), in the server's order,
    /// with placeholders where a value changes per request (`Content-Type`, the activity ids,
    /// the session echo, the session cookies): a response clones it and replaces those in place
    /// (`HeaderMap::insert` keeps an existing name's position), instead of inserting a dozen
    /// headers one by one.
    rest_head: HeaderMap,
}

impl FixedHeaders {
    /// The values for a server emulating `profile` with these ids.
    pub fn new(profile: &Profile, process_id: Uuid, deployment_id: Uuid) -> Self {
        let server = HeaderValue::from_str(&format!("Microsoft-IIS/{}", profile.iis.version))
            .unwrap_or_else(|_| HeaderValue::from_static("Microsoft-IIS"));
        let mut fixed = Self {
            server,
            process_id: uuid_value(process_id),
            deployment_id: uuid_value(deployment_id),
            rest_head: HeaderMap::new(),
        };
        fixed.rest_head = rest_head(profile, &fixed);
        fixed
    }
}

/// The template of [`FixedHeaders::rest_head`]: the headers [`render_rest`] sets, in its order,
/// built by the same code ([`tfs_headers`], [`Head::tail`]) so the two cannot drift apart.
fn rest_head(profile: &Profile, fixed: &FixedHeaders) -> HeaderMap {
    let accept = AcceptFacts::default();
    let ctx = RenderContext {
        profile,
        realm: "",
        host: "",
        path: "",
        query: None,
        fixed,
        activity_id: Uuid::nil(),
        session: None,
        accept: &accept,
        api_major: None,
        now: 0,
    };
    let mut head = Head::new(StatusCode::OK, Body::empty());
    head.set(header::CACHE_CONTROL, "private");
    head.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    tfs_headers(&mut head, &ctx);
    head.tail();
    std::mem::take(head.response.headers_mut())
}

/// Renders a refusal or handshake step (allowed requests are rendered by [`render_rest`]).
pub fn render(answer: &Answer, ctx: &RenderContext<'_>) -> Resp {
    match answer {
        Answer::Handshake { scheme, token } => handshake(*scheme, token),
        Answer::HttpsRedirect { path } => https_redirect(path, ctx),
        Answer::Iis { status: 404, .. } => iis_not_found(ctx),
        Answer::Iis { status, substatus, challenges, module } => iis(*status, *substatus, *module, challenges, ctx),
        Answer::Tfs { status, challenges, body } => tfs(*status, challenges, body, ctx),
    }
}

/// Renders a REST body with TFS's headers (and a final Negotiate token, if any): the server's
/// [`FixedHeaders::rest_head`] with this request's values put in place.
pub fn render_rest(rest: RestResponse, final_token: Option<&[u8]>, ctx: &RenderContext<'_>) -> Resp {
    let mut response = Response::new(Body::from(rest.body));
    *response.status_mut() = StatusCode::from_u16(rest.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    *headers = ctx.fixed.rest_head.clone();
    let content_type = match rest.content_type {
        std::borrow::Cow::Borrowed(text) => HeaderValue::from_static(text),
        std::borrow::Cow::Owned(text) => {
            HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
        }
    };
    headers.insert(header::CONTENT_TYPE, content_type);
    per_request_values(headers, ctx);
    if let Some(token) = final_token
        && let Ok(value) = HeaderValue::from_str(&format!("Negotiate {}", STANDARD.encode(token)))
    {
        headers.append(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// Replaces the per-request values of [`tfs_headers`] in a copy of the template, where they
/// stand: the activity ids, the session echo, the session cookies.
fn per_request_values(headers: &mut HeaderMap, ctx: &RenderContext<'_>) {
    let tfs = &ctx.profile.tfs;
    if tfs.activity_headers {
        let (activity, session) = activity_values(ctx);
        headers.insert(ACTIVITY_ID, activity.clone());
        headers.insert(X_TFS_SESSION, session);
        headers.insert(X_VSS_E2EID, activity);
    }
    if tfs.session_cookies
        && let header::Entry::Occupied(mut cookies) = headers.entry(header::SET_COOKIE)
    {
        let [id, active] = session_cookies(ctx);
        drop(cookies.insert_mult(id));
        cookies.append(active);
    }
}

/// `ActivityId` (also `X-VSS-E2EID`) and `X-TFS-Session`: the client's session echoed, or the
/// activity id.
fn activity_values(ctx: &RenderContext<'_>) -> (HeaderValue, HeaderValue) {
    let activity = uuid_value(ctx.activity_id);
    let session = ctx.session.and_then(|s| HeaderValue::from_str(s).ok()).unwrap_or_else(|| activity.clone());
    (activity, session)
}

/// TFS 2015's `Tfs-SessionId` and `Tfs-SessionActive` cookies.
fn session_cookies(ctx: &RenderContext<'_>) -> [HeaderValue; 2] {
    let value = |text: String| HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""));
    [
        value(format!("Tfs-SessionId={}; path=/", ctx.activity_id.hyphenated())),
        value(format!("Tfs-SessionActive={}; path=/", session_active(ctx.now))),
    ]
}

/// ASP.NET's `Response.Redirect`: 302, `Location`, and its "Object moved" page.
fn https_redirect(path: &str, ctx: &RenderContext<'_>) -> Resp {
    let location = format!("https://{}{path}", ctx.host);
    let shown = location.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    let body = format!(
        "<html><head><title>Object moved</title></head><body>\r\n<h2>Object moved to <a href=\"{shown}\">here</a>.</h2>\r\n</body></html>\r\n"
    );
    let mut head = Head::new(StatusCode::FOUND, Body::from(body));
    head.set(header::CACHE_CONTROL, "private");
    head.set(header::CONTENT_TYPE, "text/html; charset=utf-8");
    head.set(header::LOCATION, &location);
    tfs_headers(&mut head, ctx);
    head.tail();
    head.set(X_CONTENT_TYPE_OPTIONS, "nosniff");
    head.response
}

fn handshake(scheme: Provider, token: &[u8]) -> Resp {
    let mut head = Head::new(StatusCode::UNAUTHORIZED, Body::from(pages::HTTPSYS_401));
    head.set(header::CONTENT_TYPE, "text/html; charset=us-ascii");
    head.set(header::SERVER, "Microsoft-HTTPAPI/2.0");
    head.append(header::WWW_AUTHENTICATE, &format!("{} {}", scheme.scheme(), STANDARD.encode(token)));
    head.response
}

/// IIS's own 404 for a path outside the TFS application (no TFS module runs).
fn iis_not_found(ctx: &RenderContext<'_>) -> Resp {
    let mut head = Head::new(StatusCode::NOT_FOUND, Body::from(pages::IIS_404));
    head.set(header::CONTENT_TYPE, "text/html");
    head.insert(header::SERVER, ctx.fixed.server.clone());
    head.set(X_POWERED_BY, "ASP.NET");
    head.response
}

/// The URL as IIS's detailed page shows it.
fn requested_url(ctx: &RenderContext<'_>) -> String {
    match ctx.query {
        Some(q) => format!("http://{}{}?{q}", ctx.host, ctx.path),
        None => format!("http://{}{}", ctx.host, ctx.path),
    }
}

/// An IIS 401.x: IIS's page (custom, or detailed with `detailed-errors`), with the headers TFS's
/// end-of-request handlers still add (docs/facts/release-defaults.md §3).
fn iis(status: u16, substatus: u8, module: IisModule, challenges: &[Challenge], ctx: &RenderContext<'_>) -> Resp {
    let iis = &ctx.profile.iis;
    let page = if iis.detailed_errors {
        pages::iis_detailed_401(&iis.version, substatus, module, &requested_url(ctx))
    } else {
        pages::IIS_401.to_owned()
    };
    let mut head = Head::new(StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED), Body::from(page));
    head.set(header::CONTENT_TYPE, "text/html");
    tfs_headers(&mut head, ctx);
    challenge_headers(&mut head, challenges, ctx);
    head.tail();
    if challenges.contains(&Challenge::Windows(Provider::Ntlm)) {
        head.set(LFS_AUTHENTICATE, "NTLM");
    }
    head.set(X_CONTENT_TYPE_OPTIONS, "nosniff");
    head.response
}

fn tfs(status: u16, challenges: &[Challenge], body: &AnswerBody, ctx: &RenderContext<'_>) -> Resp {
    let (content_type, bytes) = match body {
        AnswerBody::Empty => (None, String::new()),
        AnswerBody::Error(error) => {
            let (content_type, text) = error_body(status, error, ctx);
            (Some(content_type), text)
        }
    };
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut head = Head::new(code, Body::from(bytes));
    head.set(header::CACHE_CONTROL, "private");
    if let Some(content_type) = content_type {
        head.set(header::CONTENT_TYPE, content_type);
    }
    tfs_headers(&mut head, ctx);
    if let AnswerBody::Error(error) = body {
        if status == 401 && error.type_key == "UnauthorizedRequestException" {
            let fault = soap_fault(error);
            let encoded = match ctx.profile.tfs.soap_exception_encoding {
                SoapEncoding::Lower => url_encode(&fault),
                SoapEncoding::Upper => escape_data_string(&fault),
            };
            head.set(X_TFS_SOAPEXCEPTION, &encoded);
        }
        if !error.type_key.is_empty() {
            head.set(X_TFS_SERVICEERROR, &url_encode(&error.message));
        }
    }
    challenge_headers(&mut head, challenges, ctx);
    head.tail();
    if status == 401 && challenges.contains(&Challenge::Windows(Provider::Ntlm)) {
        head.set(LFS_AUTHENTICATE, "NTLM");
    }
    head.set(X_CONTENT_TYPE_OPTIONS, "nosniff");
    head.response
}

/// The body format the server picks (docs/facts/error-bodies.md): XHR gets JSON; a client that
/// accepts HTML gets TFS's error page; a JSON client gets JSON unless the status is 404 or its
/// api-version is below 5.0 (or absent, on TFS 2015-2018), when it gets the text alone.
fn error_body(status: u16, error: &ServiceError, ctx: &RenderContext<'_>) -> (&'static str, String) {
    let accept = ctx.accept;
    let version_ok = match ctx.api_major {
        Some(major) => major >= 5,
        None => ctx.profile.tfs.errors_without_api_version == ErrorBody::Json,
    };
    let json = accept.xhr || (!accept.html && (error.from_controller || (status != 404 && accept.json && version_ok)));
    if json && !error.type_key.is_empty() {
        ("application/json; charset=utf-8", wrapped_exception(error))
    } else if accept.html {
        ("text/html; charset=utf-8", pages::tfs_error_page(status, &error.message, ctx.profile.release.product()))
    } else {
        ("text/plain; charset=utf-8", error.message.clone())
    }
}

#[derive(Serialize)]
struct WrappedException<'a> {
    #[serde(rename = "$id")]
    id: &'static str,
    #[serde(rename = "customProperties", skip_serializing_if = "Option::is_none")]
    custom_properties: Option<&'a serde_json::Value>,
    #[serde(rename = "innerException")]
    inner_exception: Option<()>,
    message: &'a str,
    #[serde(rename = "typeName")]
    type_name: &'a str,
    #[serde(rename = "typeKey")]
    type_key: &'a str,
    #[serde(rename = "errorCode")]
    error_code: u32,
    #[serde(rename = "eventId")]
    event_id: u32,
}

/// The JSON `WrappedException`, fields in the server's order.
pub fn wrapped_exception(error: &ServiceError) -> String {
    let wrapped = WrappedException {
        id: "1",
        custom_properties: error.custom_properties.as_ref(),
        inner_exception: None,
        message: &error.message,
        type_name: error.type_name,
        type_key: error.type_key,
        error_code: 0,
        event_id: error.event_id,
    };
    serde_json::to_string(&wrapped).unwrap_or_default()
}

fn soap_fault(error: &ServiceError) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\">\
         <soap:Body><soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value><soap:Subcode><soap:Value>{}</soap:Value>\
         </soap:Subcode></soap:Code><soap:Reason><soap:Text xml:lang=\"en\">{}</soap:Text></soap:Reason></soap:Fault>\
         </soap:Body></soap:Envelope>",
        error.type_key, error.message
    )
}

const HEX: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// `Uri.EscapeDataString`: unreserved `A-Za-z0-9-_.~`, everything else `%XX` in upper case
/// (how TFS 2018 and later encode `X-TFS-SoapException`).
pub fn escape_data_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX_UPPER[usize::from(b >> 4)] as char);
            out.push(HEX_UPPER[usize::from(b & 15)] as char);
        }
    }
    out
}

/// `HttpUtility.UrlEncode`: unreserved `A-Za-z0-9-_.!*()`, space as `+`, lower-case hex.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'!' | b'*' | b'(' | b')' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
    out
}

fn challenge_headers(head: &mut Head, challenges: &[Challenge], ctx: &RenderContext<'_>) {
    for c in challenges {
        let value = match c {
            Challenge::Bearer => "Bearer".to_owned(),
            Challenge::TfsBasic => format!("Basic realm=\"{}\"", ctx.realm),
            Challenge::IisBasic => {
                format!(
                    "Basic realm=\"{}\"",
                    ctx.profile.iis.basic_realm.as_deref().unwrap_or_else(|| host_name(ctx.host))
                )
            }
            Challenge::Windows(p) => p.scheme().to_owned(),
        };
        head.append(header::WWW_AUTHENTICATE, &value);
    }
}

/// The host name without the port (IIS Basic's default realm).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    host.split(':').next().unwrap_or(host)
}

const P3P: &str = "CP=\"CAO DSP COR ADMa DEV CONo TELo CUR PSA PSD TAI IVDo OUR SAMi BUS DEM NAV STA UNI COM INT PHY ONL FIN PUR LOC CNT\"";

const fn name(text: &'static str) -> HeaderName {
    HeaderName::from_static(text)
}

const X_TFS_PROCESSID: HeaderName = name("x-tfs-processid");
const ACTIVITY_ID: HeaderName = name("activityid");
const X_TFS_SESSION: HeaderName = name("x-tfs-session");
const X_VSS_E2EID: HeaderName = name("x-vss-e2eid");
const X_VSS_DEPLOYMENT: HeaderName = name("x-vss-senderdeploymentid");
const X_FRAME_OPTIONS: HeaderName = name("x-frame-options");
const X_TFS_SOAPEXCEPTION: HeaderName = name("x-tfs-soapexception");
const X_TFS_SERVICEERROR: HeaderName = name("x-tfs-serviceerror");
const X_POWERED_BY: HeaderName = name("x-powered-by");
const P3P_HEADER: HeaderName = name("p3p");
const LFS_AUTHENTICATE: HeaderName = name("lfs-authenticate");
const X_CONTENT_TYPE_OPTIONS: HeaderName = name("x-content-type-options");

/// The `Access-Control-*` block TFS 2015 to 2017 Update 1 sent on every response.
const CORS: [(HeaderName, &str); 5] = [
    (name("access-control-allow-origin"), "*"),
    (name("access-control-max-age"), "3600"),
    (name("access-control-allow-methods"), "OPTIONS,GET,POST,PATCH,PUT,DELETE"),
    (name("access-control-expose-headers"), "ActivityId,X-TFS-Session,X-MS-ContinuationToken"),
    (name("access-control-allow-headers"), "authorization"),
];

/// The headers TFS puts on every response it generates, in the captures' wire order up to the
/// challenges (docs/facts/release-defaults.md §3): `Server`, `X-TFS-ProcessId`, the activity
/// ids, the CORS block, `X-FRAME-OPTIONS`, `X-VSS-SenderDeploymentId`, the session cookies;
/// each as the release (`[tfs]`) had it.
fn tfs_headers(head: &mut Head, ctx: &RenderContext<'_>) {
    let tfs = &ctx.profile.tfs;
    head.insert(header::SERVER, ctx.fixed.server.clone());
    head.insert(X_TFS_PROCESSID, ctx.fixed.process_id.clone());
    if tfs.activity_headers {
        let (activity, session) = activity_values(ctx);
        head.insert(ACTIVITY_ID, activity.clone());
        head.insert(X_TFS_SESSION, session);
        head.insert(X_VSS_E2EID, activity);
    }
    if tfs.cors_headers {
        for (name, value) in CORS {
            head.insert(name, HeaderValue::from_static(value));
        }
    }
    head.insert(X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    if tfs.deployment_id_header {
        head.insert(X_VSS_DEPLOYMENT, ctx.fixed.deployment_id.clone());
    }
    if tfs.session_cookies {
        for cookie in session_cookies(ctx) {
            head.response.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
}

/// `yyyy-MM-dd HH:mm:ssZ`, the `Tfs-SessionActive` cookie's value.
fn session_active(now: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    time::OffsetDateTime::from_unix_timestamp(now).ok().and_then(|t| t.format(&format).ok()).unwrap_or_default()
}

/// A UUID as a header value, formatted on the stack.
fn uuid_value(id: Uuid) -> HeaderValue {
    let mut buffer = Uuid::encode_buffer();
    HeaderValue::from_str(id.hyphenated().encode_lower(&mut buffer)).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A response under construction: headers go out in the order they are set.
struct Head {
    response: Resp,
}

impl Head {
    fn new(status: StatusCode, body: Body) -> Self {
        let mut response = Response::new(body);
        *response.status_mut() = status;
        // TFS's answers carry about a dozen headers: one allocation instead of several regrowths.
        response.headers_mut().reserve(16);
        Self { response }
    }

    fn insert(&mut self, name: HeaderName, value: HeaderValue) {
        self.response.headers_mut().insert(name, value);
    }

    fn set(&mut self, name: HeaderName, value: &str) {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.response.headers_mut().insert(name, value);
        }
    }

    fn append(&mut self, name: HeaderName, value: &str) {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.response.headers_mut().append(name, value);
        }
    }

    /// `X-Powered-By` and `P3P`, after the challenges.
    fn tail(&mut self) {
        self.insert(X_POWERED_BY, HeaderValue::from_static("ASP.NET"));
        self.insert(P3P_HEADER, HeaderValue::from_static(P3P));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The REST answer's head as it was built before the template: header by header.
    fn built_one_by_one(rest: &RestResponse, final_token: Option<&[u8]>, ctx: &RenderContext<'_>) -> Resp {
        let mut head = Head::new(StatusCode::from_u16(rest.status).unwrap(), Body::from(rest.body.clone()));
        head.set(header::CACHE_CONTROL, "private");
        head.set(header::CONTENT_TYPE, &rest.content_type);
        tfs_headers(&mut head, ctx);
        head.tail();
        if let Some(token) = final_token {
            head.append(header::WWW_AUTHENTICATE, &format!("Negotiate {}", STANDARD.encode(token)));
        }
        head.response
    }

    fn in_order(response: &Resp) -> Vec<(String, String)> {
        let headers = response.headers();
        headers.iter().map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned())).collect()
    }

    #[test]
    fn the_rest_template_gives_every_release_the_headers_built_one_by_one() {
        use crate::profile::Release;
        let accept = AcceptFacts::default();
        for release in Release::ALL {
            for (activity, cookies, session) in [(true, true, Some("0a0b")), (false, false, None), (true, false, None)]
            {
                let toml = format!(
                    "release = \"{}\"\n[tfs]\nactivity-headers = {activity}\nsession-cookies = {cookies}\n",
                    release.name()
                );
                let profile = Profile::from_toml_str(&toml, "t", 0).unwrap();
                let fixed = FixedHeaders::new(&profile, Uuid::from_u128(1), Uuid::from_u128(2));
                let ctx = RenderContext {
                    profile: &profile,
                    realm: "r",
                    host: "h",
                    path: "/p",
                    query: None,
                    fixed: &fixed,
                    activity_id: Uuid::from_u128(0xabc),
                    session,
                    accept: &accept,
                    api_major: None,
                    now: 1_700_000_000,
                };
                for (rest, token) in [
                    (RestResponse::new(200, "application/json; charset=utf-8", "{}"), None),
                    (RestResponse::new(201, "application/x-git-upload-pack-result".to_owned(), "x"), Some(&b"tok"[..])),
                ] {
                    let want = built_one_by_one(&rest, token, &ctx);
                    let got = render_rest(rest, token, &ctx);
                    assert_eq!(got.status(), want.status());
                    assert_eq!(in_order(&got), in_order(&want), "{toml}");
                }
            }
        }
    }

    #[test]
    fn url_encoding_matches_httputility() {
        assert_eq!(
            url_encode("TF400813: Resource not available for anonymous access. Client authentication required."),
            "TF400813%3a+Resource+not+available+for+anonymous+access.+Client+authentication+required."
        );
        assert_eq!(url_encode("a'b\"é"), "a%27b%22%c3%a9");
        assert_eq!(escape_data_string("<?xml version"), "%3C%3Fxml%20version");
    }
}
