//! Fixed pages: IIS's custom error pages and HTTP.sys's 401 body (byte-exact, ntlm-facts 4.3/4.4),
//! and TFS's HTML error page.

/// IIS's remote 401 page (1293 bytes with CRLF line endings, as captured).
pub(super) const IIS_401: &str = concat!(
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\r\n",
    "<html xmlns=\"http://www.w3.org/1999/xhtml\">\r\n",
    "<head>\r\n",
    "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"/>\r\n",
    "<title>401 - Unauthorized: Access is denied due to invalid credentials.</title>\r\n",
    "<style type=\"text/css\">\r\n",
    "<!--\r\n",
    "body{margin:0;font-size:.7em;font-family:Verdana, Arial, Helvetica, sans-serif;background:#EEEEEE;}\r\n",
    "fieldset{padding:0 15px 10px 15px;} \r\n",
    "h1{font-size:2.4em;margin:0;color:#FFF;}\r\n",
    "h2{font-size:1.7em;margin:0;color:#CC0000;} \r\n",
    "h3{font-size:1.2em;margin:10px 0 0 0;color:#000000;} \r\n",
    "#header{width:96%;margin:0 0 0 0;padding:6px 2% 6px 2%;font-family:\"trebuchet MS\", Verdana, sans-serif;color:#FFF;\r\n",
    "background-color:#555555;}\r\n",
    "#content{margin:0 0 0 2%;position:relative;}\r\n",
    ".content-container{background:#FFF;width:96%;margin-top:8px;padding:10px;position:relative;}\r\n",
    "-->\r\n",
    "</style>\r\n",
    "</head>\r\n",
    "<body>\r\n",
    "<div id=\"header\"><h1>Server Error</h1></div>\r\n",
    "<div id=\"content\">\r\n",
    " <div class=\"content-container\"><fieldset>\r\n",
    "  <h2>401 - Unauthorized: Access is denied due to invalid credentials.</h2>\r\n",
    "  <h3>You do not have permission to view this directory or page using the credentials that you supplied.</h3>\r\n",
    " </fieldset></div>\r\n",
    "</div>\r\n",
    "</body>\r\n",
    "</html>\r\n",
);

/// IIS's remote 404 page.
pub(super) const IIS_404: &str = concat!(
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\r\n",
    "<html xmlns=\"http://www.w3.org/1999/xhtml\">\r\n",
    "<head>\r\n",
    "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"/>\r\n",
    "<title>404 - File or directory not found.</title>\r\n",
    "</head>\r\n",
    "<body>\r\n",
    "<div id=\"header\"><h1>Server Error</h1></div>\r\n",
    "<div id=\"content\">\r\n",
    " <div class=\"content-container\"><fieldset>\r\n",
    "  <h2>404 - File or directory not found.</h2>\r\n",
    "  <h3>The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.</h3>\r\n",
    " </fieldset></div>\r\n",
    "</div>\r\n",
    "</body>\r\n",
    "</html>\r\n",
);

/// HTTP.sys's kernel-mode 401 body (341 bytes).
pub(super) const HTTPSYS_401: &str = concat!(
    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"\"http://www.w3.org/TR/html4/strict.dtd\">\r\n",
    "<HTML><HEAD><TITLE>Not Authorized</TITLE>\r\n",
    "<META HTTP-EQUIV=\"Content-Type\" Content=\"text/html; charset=us-ascii\"></HEAD>\r\n",
    "<BODY><h2>Not Authorized</h2>\r\n",
    "<hr><p>HTTP Error 401. The requested resource requires user authentication.</p>\r\n",
    "</BODY></HTML>\r\n",
);

/// The "More information" icon of TFS's error page, as served (its data URI keeps `%2F`/`%2B`
/// escapes; GCM-for-Windows#848).
const MORE_INFO_ICON: &str = "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8%2F9hAAAABGdBTUEAALGPC%2FxhBQAAAAlwSFlzAAAOwgAADsIBFShKgAAAABl0RVh0U29mdHdhcmUAUGFpbnQuTkVUIHYzLjUuODc7gF0AAAB2SURBVDhPY2AYBThDoKWlJa2jo0OO7CBaunTpfxAGGmRCliEgzc%2BePfs%2Ff%2F78%2F01NTZokGwIyAARAhkybNo10Q2AGwAwBeuV%2Fa2urHtEuWb58OWUuABkAC4Pm5mY7om2GKQQZAMJkaQYZAgx5P4rSAclOHjANAOQrXesb81M5AAAAAElFTkSuQmCC";

/// TFS's HTML error page, as TFS 2018 and Azure DevOps Server send it to clients that accept
/// HTML: title `<message> - <product>`, Segoe UI styles, a "More information about this error"
/// button revealing `<pre id="errorMessageDetailed">`, CRLF line ends, a leading CRLF.
///
/// The head, styles, button and details block are the captured bytes (GCM-for-Windows#848,
/// git-credential-manager#744, dorkag#331); the real page is about 20.1 KB (20105 to 20169
/// bytes captured) and the rest of it (its headline block and the body of the toggle script)
/// was never captured, so this page is shorter: docs/facts/error-pages.md says which parts are
/// whose.
pub(super) fn tfs_error_page(status: u16, message: &str, product: &str) -> String {
    let message = escape(message);
    let headline = match status {
        404 => "Page not found.".to_owned(),
        _ => message.clone(),
    };
    let lines = [
        "",
        "<!DOCTYPE html>",
        "<html>",
        "    <head>",
        &format!("        <title>{message} - {product}</title>"),
        "        <style type=\"text/css\">",
        "            body,button { font-family: Segoe UI, Helvetica Neue, Helvetica, Arial, Verdana; font-size: 16px; }",
        "            body { height: 100% }",
        "            A { color: #106ebe; text-decoration: none; }",
        "            A:hover { text-decoration: underline; }",
        "            h1 { font-size: 32px; color: #666; margin-bottom: 0px; }",
        "            h2 { font-size: 24px; color: #666; font-weight: normal; margin-top: 0px; }",
        "            pre { font-family: Consolas, Courier New, monospace; font-size: 12px; border: 1px solid #ccc; background-color: #eaeaea; padding: 10px;}",
        "            #moreInfoButton { background: transparent; border: 0; color: #106ebe; cursor: pointer; }",
        "        </style>",
        "        <script type=\"text/javascript\">",
        "            function toggle(event) {",
        "                if (!event.key || event.key === \" \" || event.key === \"Spacebar\" || event.key === \"Enter\") {",
        "                    var moreInfo = document.getElementById(\"moreInfo\");",
        "                    var expanded = moreInfo.style.display === \"none\";",
        "                    moreInfo.style.display = expanded ? \"block\" : \"none\";",
        "                    document.getElementById(\"moreInfoButton\").setAttribute(\"aria-expanded\", expanded);",
        "                }",
        "            }",
        "        </script>",
        "    </head>",
        "    <body>",
        "        <div style=\"padding: 20px;\">",
        &format!("            <h1>{status}</h1>"),
        &format!("            <h2>{headline}</h2>"),
        "            <div>",
        "                <button id=\"moreInfoButton\" aria-expanded=\"false\" aria-controls=\"moreInfo\" onclick=\"toggle(event)\">",
        &format!(
            "                        <img alt=\"\" id=\"moreInfoIcon\" src=\"data:image/png;base64,{MORE_INFO_ICON}\" width=\"16\" height=\"16\" align=\"absmiddle\" border=\"0\" /> "
        ),
        "                        More information about this error",
        "                    </button>",
        "                </div>",
        "          <div id=\"moreInfo\" style=\"display: none; padding-left: 20px; padding-top: 20px; width: 100%;\">",
        &format!(
            "      <pre tabindex=\"0\" aria-label=\"Error details\" id=\"errorMessageDetailed\" style=\"width: 600px; height: 300px; overflow: scroll;\">{message}\r\n\r\n</pre>"
        ),
        "      </div>",
        "        </div>",
        "    </body>",
        "</html>",
        "",
    ];
    lines.join("\r\n")
}

/// IIS's detailed error page for a 401.x (`errorMode="Detailed"`, or a request made on the
/// server): the structure of the captured pages (huserben/TfsExtensions#61, GCM#744), the
/// module, notification, handler and error code of the module that refused.
pub(super) fn iis_detailed_401(version: &str, substatus: u8, module: crate::auth::IisModule, url: &str) -> String {
    use crate::auth::IisModule;
    let (module_name, error_code, h4, causes): (&str, &str, &str, &[&str]) = match module {
        IisModule::WindowsAuthentication => (
            "WindowsAuthenticationModule",
            "0xc000006d",
            "You do not have permission to view this directory or page using the credentials that you supplied.",
            &[
                "The client sent invalid credentials, or the account cannot log on (wrong password, locked out, disabled).",
            ],
        ),
        IisModule::BasicAuthentication => (
            "BasicAuthenticationModule",
            "0x8007052e",
            "You do not have permission to view this directory or page using the credentials that you supplied.",
            &["The user name or password is incorrect, or the account is not in the default logon domain."],
        ),
        IisModule::WebCore | IisModule::StaticFile => (
            "IIS Web Core",
            "0x80070005",
            "You are not authorized to view this page due to invalid authentication headers.",
            &[
                "No authentication protocol (including anonymous) is selected in IIS.",
                "Only integrated authentication is enabled, and a client browser was used that does not support integrated authentication.",
                "Integrated authentication is enabled and the request was sent through a proxy that changed the authentication headers before they reach the Web server.",
            ],
        ),
    };
    // An IIS 401 shows the logon as not determined (RestSharp#849).
    let logon = "Not yet determined";
    let title = format!("IIS {version} Detailed Error - 401.{substatus} - Unauthorized");
    let causes: String = causes.iter().map(|c| format!("<li>{}</li>", escape(c))).collect();
    let rows = [
        ("Module", module_name.to_owned()),
        ("Notification", "AuthenticateRequest".to_owned()),
        ("Handler", "ExtensionlessUrlHandler-Integrated-4.0".to_owned()),
        ("Error Code", error_code.to_owned()),
    ];
    let right = [("Requested URL", escape(url)), ("Logon Method", logon.to_owned()), ("Logon User", logon.to_owned())];
    let table = |rows: &[(&str, String)]| -> String {
        rows.iter()
            .enumerate()
            .map(|(i, (k, v))| {
                let class = if i % 2 == 0 { " class=\"alt\"" } else { "" };
                format!("    <tr{class}><th>{k}</th><td>&nbsp;&nbsp;&nbsp;{v}</td></tr> \n")
            })
            .collect()
    };
    format!(
        "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\"> \n\
         <html xmlns=\"http://www.w3.org/1999/xhtml\"> \n<head> \n<title>{title}</title> \n\
         <style type=\"text/css\"> \n<!-- \n\
         body{{margin:0;font-size:.7em;font-family:Verdana,Arial,Helvetica,sans-serif;}} \n\
         code{{margin:0;color:#006600;font-size:1.1em;font-weight:bold;}} \n\
         #details-left{{width:35%;float:left;margin-right:2%;}} \n\
         #details-right{{width:63%;float:left;overflow:hidden;}} \n\
         --> \n</style> \n \n</head> \n<body> \n<div id=\"content\"> \n\
         <div class=\"content-container\"> \n  <h3>HTTP Error 401.{substatus} - Unauthorized</h3> \n  <h4>{h4}</h4> \n</div> \n\
         <div class=\"content-container\"> \n <fieldset><h4>Most likely causes:</h4> \n  <ul> \t{causes} </ul> \n </fieldset> \n</div> \n\
         <div class=\"content-container\"> \n <fieldset><h4>Detailed Error Information:</h4> \n  <div id=\"details-left\"> \n\
            <table border=\"0\" cellpadding=\"0\" cellspacing=\"0\"> \n{left}   </table> \n  </div> \n  <div id=\"details-right\"> \n\
            <table border=\"0\" cellpadding=\"0\" cellspacing=\"0\"> \n{right}   </table> \n  </div> \n </fieldset> \n</div> \n\
         </div> \n</body> \n</html> \n",
        left = table(&rows),
        right = table(&right),
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_pages_have_the_captured_lengths() {
        assert_eq!(IIS_401.len(), 1293);
        assert_eq!(HTTPSYS_401.len(), 341);
    }

    #[test]
    fn error_page_escapes() {
        assert!(tfs_error_page(401, "a <b> & 'c'", "X").contains("a &lt;b&gt; &amp; &#39;c&#39;"));
    }
}
