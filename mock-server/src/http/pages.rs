//! Fixed pages: IIS's custom error pages and HTTP.sys's 401 body (byte-exact, ntlm-facts 4.3/4.4),
//! and TFS's HTML error page.

/// IIS's remote 401 page (1293 bytes with CRLF line endings, as captured).
pub const IIS_401: &str = concat!(
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
pub const IIS_404: &str = concat!(
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
pub const HTTPSYS_401: &str = concat!(
    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"\"http://www.w3.org/TR/html4/strict.dtd\">\r\n",
    "<HTML><HEAD><TITLE>Not Authorized</TITLE>\r\n",
    "<META HTTP-EQUIV=\"Content-Type\" Content=\"text/html; charset=us-ascii\"></HEAD>\r\n",
    "<BODY><h2>Not Authorized</h2>\r\n",
    "<hr><p>HTTP Error 401. The requested resource requires user authentication.</p>\r\n",
    "</BODY></HTML>\r\n",
);

/// TFS's HTML error page (the web-access formatter's page, reduced to what clients show).
pub fn tfs_error_page(status: u16, message: &str, product: &str) -> String {
    let message = escape(message);
    format!(
        "<!DOCTYPE html>\r\n<html lang=\"en-US\">\r\n<head>\r\n<meta charset=\"utf-8\" />\r\n\
         <title>{message} - {product}</title>\r\n</head>\r\n<body>\r\n\
         <div class=\"error-page\">\r\n<h1 class=\"error-code\">{status}</h1>\r\n\
         <pre class=\"error-message\" id=\"errorMessageDetailed\">{message}</pre>\r\n</div>\r\n</body>\r\n</html>\r\n"
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
