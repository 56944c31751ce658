#!/usr/bin/env bash
# Client adapter: git (smart HTTP) behind the conformance client contract. Only the
# git-ls-remote operation. PATs go in an extra header (the documented workaround, since git
# wants a non-empty user name), passed through GIT_CONFIG_* variables rather than the command
# line; user/password (Basic or NTLM) come from GIT_ASKPASS, as a credential prompt would.
set -uo pipefail

die() { echo "git adapter: $*" >&2; exit 1; }

[ "${ADO_OPERATION:-}" = "git-ls-remote" ] || die "operation '${ADO_OPERATION:-}' is not implemented"
base=${ADO_URL:?ADO_URL is not set}
url="${base%/}/${ADO_PROJECT:?}/_git/${ADO_REPO:?}"
export GIT_TERMINAL_PROMPT=0

askpass() {
  local script="${TMPDIR:-/tmp}/git-askpass.sh"
  # The script holds no secret: it reads them from the environment at prompt time.
  cat > "$script" <<'ASK'
#!/usr/bin/env bash
case "$1" in
  Username*) if [ -n "${ADO_DOMAIN:-}" ]; then printf '%s\\%s\n' "$ADO_DOMAIN" "${ADO_USERNAME:-}"; else printf '%s\n' "${ADO_USERNAME:-}"; fi ;;
  *) printf '%s\n' "${ADO_PASSWORD:-}" ;;
esac
ASK
  chmod 700 "$script"
  export GIT_ASKPASS="$script"
}

case "${ADO_AUTH:-none}" in
  pat)
    export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraheader
    GIT_CONFIG_VALUE_0="Authorization: Basic $(printf ':%s' "${ADO_PAT:-}" | base64 -w0)"
    export GIT_CONFIG_VALUE_0 ;;
  job-token)
    # What the pipelines agent does for a checkout: the job token as a bearer extra header.
    export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraheader
    GIT_CONFIG_VALUE_0="AUTHORIZATION: bearer ${ADO_ACCESS_TOKEN:-}"
    export GIT_CONFIG_VALUE_0 ;;
  basic) askpass ;;
  ntlm)
    askpass
    export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.allowNTLMAuth GIT_CONFIG_VALUE_0=true ;;
  kerberos)
    # With an empty user name git lets curl run GSS-API Negotiate from the ticket cache.
    export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.emptyAuth GIT_CONFIG_VALUE_0=true ;;
  none) ;;
  *) die "auth '${ADO_AUTH}' is not supported by git" ;;
esac

exec git ls-remote "$url"
