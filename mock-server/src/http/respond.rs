//! Decisions to HTTP responses: the only code that knows header spellings, status lines and
//! body formats. Pure (ids and realms come in through [`RenderContext`]), so every reason's
//! full response can be snapshot-tested.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Response, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use uuid::Uuid;

use super::pages;
use crate::auth::{AcceptFacts, Answer, Body as AnswerBody, Challenge, ServiceError};
use crate::profile::{Provider, Release};
use crate::rest::RestResponse;

/// Everything a response needs besides the decision.
pub struct RenderContext<'a> {
    /// The release (body formats differ by release).
    pub release: Release,
    /// TFS's Basic realm (the public URL).
    pub realm: &'a str,
    /// The `Host` the client addressed (IIS Basic's realm).
    pub host: &'a str,
    /// `X-TFS-ProcessId`.
    pub process_id: Uuid,
    /// `ActivityId` and `X-VSS-E2EID`.
    pub activity_id: Uuid,
    /// `X-VSS-SenderDeploymentId`.
    pub deployment_id: Uuid,
    /// The client's `X-TFS-Session`, echoed.
    pub session: Option<&'a str>,
    /// What the client accepts.
    pub accept: &'a AcceptFacts,
    /// The api-version major the client asked for (old versions get text errors).
    pub api_major: Option<u16>,
}

type Resp = Response<Body>;

/// Renders a refusal or handshake step (allowed requests are rendered by [`render_rest`]).
pub fn render(answer: &Answer, ctx: &RenderContext<'_>) -> Resp {
    match answer {
        Answer::Handshake { scheme, token } => handshake(*scheme, token),
        Answer::Iis { status, challenges, .. } => iis(*status, challenges, ctx),
        Answer::Tfs { status, challenges, body } => tfs(*status, challenges, body, ctx),
    }
}

/// Renders a REST body with TFS's headers (and a final Negotiate token, if any).
pub fn render_rest(rest: RestResponse, final_token: Option<&[u8]>, ctx: &RenderContext<'_>) -> Resp {
    let mut response = Response::new(Body::from(rest.body));
    *response.status_mut() = StatusCode::from_u16(rest.status).unwrap_or(StatusCode::OK);
    let content_type = match rest.content_type {
        std::borrow::Cow::Borrowed(text) => HeaderValue::from_static(text),
        std::borrow::Cow::Owned(text) => {
            HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
        }
    };
    response.headers_mut().insert(header::CONTENT_TYPE, content_type);
    tfs_headers(&mut response, ctx);
    if let Some(token) = final_token {
        append(&mut response, "www-authenticate", &format!("Negotiate {}", STANDARD.encode(token)));
    }
    response
}

fn handshake(scheme: Provider, token: &[u8]) -> Resp {
    let mut response = Response::new(Body::from(pages::HTTPSYS_401));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    set(&mut response, "content-type", "text/html; charset=us-ascii");
    set(&mut response, "server", "Microsoft-HTTPAPI/2.0");
    append(&mut response, "www-authenticate", &format!("{} {}", scheme.scheme(), STANDARD.encode(token)));
    response
}

fn iis(status: u16, challenges: &[Challenge], ctx: &RenderContext<'_>) -> Resp {
    let page = if status == 404 { pages::IIS_404 } else { pages::IIS_401 };
    let mut response = Response::new(Body::from(page));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED);
    set(&mut response, "content-type", "text/html");
    set(&mut response, "server", "Microsoft-IIS/10.0");
    challenge_headers(&mut response, challenges, ctx);
    set(&mut response, "x-powered-by", "ASP.NET");
    response
}

fn tfs(status: u16, challenges: &[Challenge], body: &AnswerBody, ctx: &RenderContext<'_>) -> Resp {
    let mut response = match body {
        AnswerBody::Empty => Response::new(Body::empty()),
        AnswerBody::Error(error) => error_body(status, error, ctx),
    };
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    tfs_headers(&mut response, ctx);
    if let AnswerBody::Error(error) = body {
        if !error.type_key.is_empty() {
            set(&mut response, "x-tfs-serviceerror", &url_encode(&error.message));
        }
        if status == 401 && error.type_key == "UnauthorizedRequestException" {
            set(&mut response, "x-tfs-soapexception", &url_encode(&soap_fault(error)));
        }
    }
    challenge_headers(&mut response, challenges, ctx);
    if status == 401 && challenges.contains(&Challenge::Windows(Provider::Ntlm)) {
        set(&mut response, "lfs-authenticate", "NTLM");
    }
    response
}

/// The body format the server picks (ado-facts 2.4).
fn error_body(status: u16, error: &ServiceError, ctx: &RenderContext<'_>) -> Resp {
    let accept = ctx.accept;
    let old_api = ctx.api_major.is_some_and(|m| m < 5);
    let json = accept.xhr || (!accept.html && (error.from_controller || (status != 404 && accept.json && !old_api)));
    let (content_type, body) = if json && !error.type_key.is_empty() {
        ("application/json; charset=utf-8", wrapped_exception(error))
    } else if accept.html {
        if status == 401 && ctx.release.iis_error_page_on_401() {
            ("text/html", pages::IIS_401.to_owned())
        } else {
            ("text/html; charset=utf-8", pages::tfs_error_page(status, &error.message, ctx.release.product()))
        }
    } else {
        ("text/plain; charset=utf-8", error.message.clone())
    };
    let mut response = Response::new(Body::from(body));
    set(&mut response, "content-type", content_type);
    response
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

fn challenge_headers(response: &mut Resp, challenges: &[Challenge], ctx: &RenderContext<'_>) {
    for c in challenges {
        let value = match c {
            Challenge::Bearer => "Bearer".to_owned(),
            Challenge::TfsBasic => format!("Basic realm=\"{}\"", ctx.realm),
            Challenge::IisBasic => format!("Basic realm=\"{}\"", ctx.host),
            Challenge::Windows(p) => p.scheme().to_owned(),
        };
        append(response, "www-authenticate", &value);
    }
}

const P3P: &str = "CP=\"CAO DSP COR ADMa DEV CONo TELo CUR PSA PSD TAI IVDo OUR SAMi BUS DEM NAV STA UNI COM INT PHY ONL FIN PUR LOC CNT\"";

const fn name(text: &'static str) -> HeaderName {
    HeaderName::from_static(text)
}

/// Headers that never change, before the per-request ids (names and values built at compile
/// time: no parsing, no copy).
const STATIC_HEAD: [(HeaderName, &str); 2] =
    [(name("cache-control"), "private"), (name("server"), "Microsoft-IIS/10.0")];

/// Headers that never change, after the per-request ids.
const STATIC_TAIL: [(HeaderName, &str); 9] = [
    (name("x-frame-options"), "SAMEORIGIN"),
    (name("access-control-allow-origin"), "*"),
    (name("access-control-max-age"), "3600"),
    (name("access-control-allow-methods"), "OPTIONS,GET,POST,PATCH,PUT,DELETE"),
    (name("access-control-expose-headers"), "ActivityId,X-TFS-Session,X-MS-ContinuationToken"),
    (name("access-control-allow-headers"), "authorization"),
    (name("x-powered-by"), "ASP.NET"),
    (name("x-content-type-options"), "nosniff"),
    (name("p3p"), P3P),
];

const PROCESS_ID: HeaderName = name("x-tfs-processid");
const ACTIVITY_ID: HeaderName = name("activityid");
const SESSION: HeaderName = name("x-tfs-session");
const E2E_ID: HeaderName = name("x-vss-e2eid");
const DEPLOYMENT_ID: HeaderName = name("x-vss-senderdeploymentid");

/// The headers TFS puts on every response it generates (ado-facts 2.1, 2.2).
fn tfs_headers(response: &mut Resp, ctx: &RenderContext<'_>) {
    let activity = uuid_value(ctx.activity_id);
    let headers = response.headers_mut();
    for (name, value) in STATIC_HEAD {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.insert(PROCESS_ID, uuid_value(ctx.process_id));
    headers.insert(ACTIVITY_ID, activity.clone());
    let session = ctx.session.and_then(|s| HeaderValue::from_str(s).ok()).unwrap_or_else(|| activity.clone());
    headers.insert(SESSION, session);
    headers.insert(E2E_ID, activity);
    headers.insert(DEPLOYMENT_ID, uuid_value(ctx.deployment_id));
    for (name, value) in STATIC_TAIL {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// A UUID as a header value, formatted on the stack.
fn uuid_value(id: Uuid) -> HeaderValue {
    let mut buffer = Uuid::encode_buffer();
    HeaderValue::from_str(id.hyphenated().encode_lower(&mut buffer)).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn set(response: &mut Resp, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

fn append(response: &mut Resp, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().append(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoding_matches_httputility() {
        assert_eq!(
            url_encode("TF400813: Resource not available for anonymous access. Client authentication required."),
            "TF400813%3a+Resource+not+available+for+anonymous+access.+Client+authentication+required."
        );
        assert_eq!(url_encode("a'b\"é"), "a%27b%22%c3%a9");
    }
}
