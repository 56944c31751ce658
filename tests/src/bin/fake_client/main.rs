//! `fake-client`: a scripted client of the conformance contract. It reads the `ADO_*`
//! variables, performs `ADO_OPERATION` over raw HTTP/1.1 (so the script controls connections),
//! and misbehaves as its script says, so end-to-end tests can show each check failing for the
//! right reason.
//!
//! The script is the first argument (or `FAKE_SCRIPT`); default `good`:
//!
//! | script | behaviour |
//! |---|---|
//! | `good` | the credential as it should be sent (Basic `:`+PAT, NTLM on one connection, ...) |
//! | `no-colon` | Basic base64(PAT), without the `:` |
//! | `bearer` | the PAT as `Bearer` |
//! | `pat-in-url` | good, plus `?pat=<PAT>` in the URL |
//! | `b64-pat-in-url` | good, plus `?auth=<base64(":" + PAT), percent-encoded>` in the URL |
//! | `print-secret` | good, but prints the PAT on stderr |
//! | `print-header` | good, but prints its Authorization header on stdout |
//! | `retry-storm` | retries a refused request 10 times |
//! | `no-collection` | drops the collection from `ADO_URL` |
//! | `too-new-api` | sends `api-version=99.0` |
//! | `exit0-on-failure` | reports a refusal but exits 0 |
//! | `vague` | on failure prints only "something went wrong" |
//! | `silent` | on failure prints nothing |
//! | `anonymous-probe` | sends each request without credentials first |
//! | `ntlm-new-connection` | sends the NTLM AUTHENTICATE on a new connection |
//! | `insist` | after a 401, sends the same credential once more whatever was offered |
//! | `hang` | starts a child `sleep`, prints its pid, and never exits |
//! | `wipe-journal` | `pat-in-url`, then `DELETE /journal` to every port the runner listens on; prints `wiped W of P` |
//! | `leak` | good, then prints its secret (`ADO_PAT`, else `ADO_PASSWORD`) in the disguise of `ado_tests::leak` named by the scenario id's last segment (`leak/base64-url-user-2`) |
//! | `by-scenario` | the script named by `FAKE_SCRIPT_<scenario id, '/' and '-' as '_'>`, else `good` |

mod http;
mod ntlm;
mod wipe;

use std::process::ExitCode;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{Conn, Response, Url};

/// The contract variables.
struct Contract {
    url: Url,
    operation: String,
    auth: String,
    pat: String,
    user: String,
    password: String,
    domain: String,
    project: String,
    repo: String,
    work_item: String,
    api_version: Option<String>,
}

impl Contract {
    fn from_env() -> Result<Contract, String> {
        let var = |k: &str| std::env::var(k).unwrap_or_default();
        Ok(Contract {
            url: Url::parse(&var("ADO_URL"))?,
            operation: var("ADO_OPERATION"),
            auth: var("ADO_AUTH"),
            pat: var("ADO_PAT"),
            user: var("ADO_USERNAME"),
            password: var("ADO_PASSWORD"),
            domain: var("ADO_DOMAIN"),
            project: var("ADO_PROJECT"),
            repo: var("ADO_REPO"),
            work_item: var("ADO_WORK_ITEM"),
            api_version: std::env::var("ADO_API_VERSION").ok(),
        })
    }
}

/// One request of the operation.
struct Request {
    method: &'static str,
    target: String,
    body: Vec<u8>,
    content_type: Option<&'static str>,
}

fn main() -> ExitCode {
    let mut script =
        std::env::args().nth(1).or_else(|| std::env::var("FAKE_SCRIPT").ok()).unwrap_or_else(|| "good".into());
    if script == "by-scenario" {
        let id = std::env::var("ADO_SCENARIO").unwrap_or_default().replace(['/', '-'], "_");
        script = std::env::var(format!("FAKE_SCRIPT_{id}")).unwrap_or_else(|_| "good".into());
    }
    if script == "hang" {
        hang();
    }
    let contract = match Contract::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("fake-client: {e}");
            return ExitCode::from(3);
        }
    };
    if script == "leak" {
        return leak(&contract);
    }
    if script == "wipe-journal" {
        let leaked = perform("pat-in-url", &contract);
        let (tried, wiped) = wipe::wipe_parent_journals();
        println!("wiped {wiped} of {tried} journal(s)");
        return match leaked {
            Ok(r) if (200..300).contains(&r.status) => ExitCode::SUCCESS,
            _ => ExitCode::from(1),
        };
    }
    match perform(&script, &contract) {
        Ok(response) if (200..300).contains(&response.status) => {
            println!("{}", String::from_utf8_lossy(&response.body));
            ExitCode::SUCCESS
        }
        Ok(response) => fail(&script, &describe(&response)),
        Err(e) => fail(&script, &format!("error: {e}")),
    }
}

/// `leak`: authenticates as `good` does, then prints the secret in the scenario's disguise.
fn leak(contract: &Contract) -> ExitCode {
    let scenario = std::env::var("ADO_SCENARIO").unwrap_or_default();
    let name = scenario.rsplit('/').next().unwrap_or_default();
    let secret = if contract.pat.is_empty() { &contract.password } else { &contract.pat };
    let user = if contract.user.is_empty() { "joseph" } else { &contract.user };
    let Some(text) = ado_tests::leak::form(name, secret, user) else {
        eprintln!("fake-client: no leak form named '{name}'");
        return ExitCode::from(3);
    };
    let worked = perform("good", contract);
    println!("debug: {text}");
    match worked {
        Ok(r) if (200..300).contains(&r.status) => ExitCode::SUCCESS,
        Ok(r) => fail("leak", &describe(&r)),
        Err(e) => fail("leak", &format!("error: {e}")),
    }
}

fn fail(script: &str, message: &str) -> ExitCode {
    match script {
        "exit0-on-failure" => {
            eprintln!("{message}");
            ExitCode::SUCCESS
        }
        "vague" => {
            eprintln!("something went wrong");
            ExitCode::from(1)
        }
        "silent" => ExitCode::from(1),
        _ => {
            eprintln!("{message}");
            ExitCode::from(1)
        }
    }
}

/// `error: HTTP 401: TF400813: ...` from the status and the server's error header or body.
fn describe(response: &Response) -> String {
    let service = response.header("x-tfs-serviceerror").map(decode_form);
    let body = String::from_utf8_lossy(&response.body);
    let detail = service.unwrap_or_else(|| body.chars().take(200).collect::<String>().replace('\n', " "));
    format!("error: HTTP {}: {detail}", response.status)
}

fn decode_form(text: &str) -> String {
    let bytes = text.replace('+', " ").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hang() -> ! {
    match std::process::Command::new("sleep").arg("600").spawn() {
        Ok(child) => println!("child pid {}", child.id()),
        Err(e) => eprintln!("cannot start sleep: {e}"),
    }
    loop {
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

fn request(script: &str, c: &Contract) -> Result<Request, String> {
    let base = if script == "no-collection" {
        c.url.path.rsplit_once('/').map(|(head, _)| head.to_owned()).unwrap_or_default()
    } else {
        c.url.path.clone()
    };
    let (method, path, body, content_type) = match c.operation.as_str() {
        "connection-data" => ("GET", format!("{base}/_apis/connectionData"), Vec::new(), None),
        "list-projects" => ("GET", format!("{base}/_apis/projects"), Vec::new(), None),
        "get-project" => ("GET", format!("{base}/_apis/projects/{}", c.project), Vec::new(), None),
        "list-repos" => ("GET", format!("{base}/{}/_apis/git/repositories", c.project), Vec::new(), None),
        "git-ls-remote" => ("GET", format!("{base}/{}/_git/{}/info/refs", c.project, c.repo), Vec::new(), None),
        "get-work-item" => ("GET", format!("{base}/_apis/wit/workitems/{}", c.work_item), Vec::new(), None),
        "list-collections" => ("GET", format!("{base}/_apis/projectCollections"), Vec::new(), None),
        "create-work-item" => (
            "POST",
            format!("{base}/{}/_apis/wit/workitems/$Task", c.project),
            br#"[{"op":"add","path":"/fields/System.Title","value":"fake"}]"#.to_vec(),
            Some("application/json-patch+json"),
        ),
        "create-project" => (
            "POST",
            format!("{base}/_apis/projects"),
            br#"{"name":"Fake","capabilities":{}}"#.to_vec(),
            Some("application/json"),
        ),
        other => return Err(format!("operation '{other}' is not implemented")),
    };
    let mut query: Vec<String> = Vec::new();
    if c.operation == "git-ls-remote" {
        query.push("service=git-upload-pack".into());
    }
    let version = match script {
        "too-new-api" => Some("99.0".to_owned()),
        _ if method == "POST" => Some(c.api_version.clone().unwrap_or_else(|| "4.1".into())),
        _ => c.api_version.clone(),
    };
    query.extend(version.map(|v| format!("api-version={v}")));
    if script == "pat-in-url" {
        query.push(format!("pat={}", c.pat));
    }
    if script == "b64-pat-in-url" {
        // What a client does when it builds a Basic header and puts it in a query string.
        let encoded = STANDARD.encode(format!(":{}", c.pat));
        query.push(format!("auth={}", encoded.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")));
    }
    let target = if query.is_empty() { path } else { format!("{path}?{}", query.join("&")) };
    Ok(Request { method, target, body, content_type })
}

fn perform(script: &str, c: &Contract) -> Result<Response, String> {
    let req = request(script, c)?;
    let windows = matches!(c.auth.as_str(), "ntlm" | "negotiate") && script != "bearer";
    let mut conn = Conn::open(&c.url.authority)?;
    if script == "anonymous-probe" {
        let probe = send(&mut conn, &req, None)?;
        if probe.status != 401 {
            return Ok(probe);
        }
    }
    let mut response =
        if windows { handshake(script, c, &req, &mut conn)? } else { send(&mut conn, &req, header(script, c))? };
    let retries = match script {
        "retry-storm" => 9,
        "insist" => 1,
        _ => 0,
    };
    for _ in 0..retries {
        if response.status < 400 {
            break;
        }
        response =
            if windows { handshake(script, c, &req, &mut conn)? } else { send(&mut conn, &req, header(script, c))? };
    }
    if matches!(script, "print-secret") {
        eprintln!("debug: authenticated with PAT {}", c.pat);
    }
    if let ("print-header", Some(h)) = (script, header(script, c)) {
        println!("debug: Authorization: {h}");
    }
    Ok(response)
}

/// The Authorization header for non-Windows credentials.
fn header(script: &str, c: &Contract) -> Option<String> {
    match (script, c.auth.as_str()) {
        ("bearer", _) => Some(format!("Bearer {}", c.pat)),
        ("no-colon", _) => Some(format!("Basic {}", STANDARD.encode(&c.pat))),
        (_, "pat") => Some(format!("Basic {}", STANDARD.encode(format!(":{}", c.pat)))),
        (_, "basic") => Some(format!("Basic {}", STANDARD.encode(format!("{}:{}", c.user, c.password)))),
        (_, "bearer") => Some(format!("Bearer {}", c.pat)),
        _ => None,
    }
}

fn send(conn: &mut Conn, req: &Request, authorization: Option<String>) -> Result<Response, String> {
    let mut headers = vec![("Accept".to_owned(), "application/json".to_owned())];
    if let Some(t) = req.content_type {
        headers.push(("Content-Type".to_owned(), t.to_owned()));
    }
    if let Some(a) = authorization {
        headers.push(("Authorization".to_owned(), a));
    }
    conn.send(req.method, &req.target, &headers, &req.body)
}

/// NTLM (or raw NTLMSSP in Negotiate): NEGOTIATE, CHALLENGE, AUTHENTICATE on one connection,
/// or on a new one for `ntlm-new-connection`.
fn handshake(script: &str, c: &Contract, req: &Request, conn: &mut Conn) -> Result<Response, String> {
    let scheme = if c.auth == "negotiate" { "Negotiate" } else { "NTLM" };
    let first = send(conn, req, Some(format!("{scheme} {}", STANDARD.encode(ntlm::negotiate()))))?;
    let prefix = format!("{scheme} ");
    let Some(token) = first.all("www-authenticate").into_iter().find_map(|v| v.strip_prefix(prefix.as_str())) else {
        return Ok(first);
    };
    let challenge = STANDARD.decode(token.trim()).map_err(|e| format!("bad challenge token: {e}"))?;
    let auth = ntlm::authenticate(&challenge, &c.user, &c.domain, &c.password)?;
    let value = format!("{scheme} {}", STANDARD.encode(auth));
    if script == "ntlm-new-connection" {
        let mut fresh = Conn::open(&c.url.authority)?;
        return send(&mut fresh, req, Some(value));
    }
    send(conn, req, Some(value))
}
