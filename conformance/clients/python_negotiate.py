"""Windows authentication from Python: requests + pyspnego, as a Linux tool would do it.

Reads the client contract (docs/CLIENT-CONTRACT.md):
  ADO_URL          the collection URL
  ADO_AUTH         "kerberos": Kerberos from the ticket cache (KRB5CCNAME, KRB5_CONFIG); with
                   ADO_USERNAME/ADO_PASSWORD/ADO_DOMAIN, SPNEGO offering Kerberos then NTLM,
                   falling back to NTLM when no ticket can be had (as Windows' Negotiate does),
                   without them the bare Kerberos token under Negotiate;
                   "negotiate": the same, but credentials first (pyspnego gets a TGT itself);
                   "ntlm": NTLM under the NTLM scheme.
                   "none": no credential.
  ADO_USERNAME, ADO_PASSWORD, ADO_DOMAIN   optional Windows credentials
Lists the collection's projects (one name per line) and exits 0, or prints the failure
(status, reason) and exits 1. A mutual-authentication token on the 200 is verified.
"""

import base64
import os
import sys
from urllib.parse import urlparse

import requests
import spnego


def token_of(response, scheme):
    """The token of the response's `WWW-Authenticate: <scheme> <token>`, if any."""
    for value in response.raw.headers.getlist("WWW-Authenticate"):
        name, _, token = value.partition(" ")
        if name.lower() == scheme.lower() and token.strip():
            return base64.b64decode(token.strip())
    return None


def main():
    operation = os.environ.get("ADO_OPERATION", "list-projects")
    if operation != "list-projects":
        print(f"python-negotiate: operation {operation!r} is not implemented", file=sys.stderr)
        return 2
    url = os.environ["ADO_URL"].rstrip("/") + "/_apis/projects"
    auth = os.environ.get("ADO_AUTH", "kerberos")
    user = os.environ.get("ADO_USERNAME") or None
    domain = os.environ.get("ADO_DOMAIN")
    if user and domain and "\\" not in user:
        user = f"{domain}\\{user}"
    password = os.environ.get("ADO_PASSWORD") or None
    if auth not in ("kerberos", "negotiate", "ntlm"):
        # No credential (ADO_AUTH=none): the request goes out anonymous, as the tool would send it.
        response = requests.get(url, timeout=20)
        if response.status_code == 200:
            print("\n".join(p["name"] for p in response.json()["value"]))
            return 0
        print(f"HTTP {response.status_code}: {response.headers.get('X-TFS-ServiceError', response.reason)}", file=sys.stderr)
        return 1
    protocol = {"kerberos": "negotiate", "negotiate": "negotiate", "ntlm": "ntlm"}[auth]
    scheme = "NTLM" if auth == "ntlm" else "Negotiate"
    credentials = [spnego.Password(user, password)] if user and password else []
    if auth == "kerberos":
        # Kerberos from the ticket cache; the password serves the NTLM fallback only.
        ccache = os.environ.get("KRB5CCNAME")
        credentials.insert(0, spnego.KerberosCCache(ccache=ccache) if ccache else spnego.CredentialCache())
    host = urlparse(url).hostname
    session = requests.Session()
    try:
        if auth == "kerberos" and not password:
            # pyspnego's SPNEGO wants a credential per mechanism; with a ticket cache only it
            # sends the bare Kerberos token under Negotiate, as GSS-API Kerberos clients do.
            protocol = "kerberos"
        context = spnego.client(credentials or None, hostname=host, service="HTTP", protocol=protocol)
        out = context.step()
    except spnego.exceptions.SpnegoError as error:
        print(f"cannot start {scheme}: {error}", file=sys.stderr)
        return 1
    for _ in range(4):
        header = {"Authorization": f"{scheme} {base64.b64encode(out).decode()}"}
        response = session.get(url, headers=header, timeout=20)
        incoming = token_of(response, scheme)
        if response.status_code == 200:
            if incoming and not context.complete:
                context.step(incoming)
            print("\n".join(p["name"] for p in response.json()["value"]))
            return 0
        if response.status_code != 401 or incoming is None:
            break
        out = context.step(incoming)
    print(f"HTTP {response.status_code}: {scheme} authentication failed", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
