#!/usr/bin/env bash
# Client adapter: curl behind the conformance client contract (docs/CLIENT-CONTRACT.md).
# Reads ADO_* from the environment, performs ADO_OPERATION, prints the response body
# on stdout and exits 0, or prints what went wrong on stderr and exits 1.
#
# Credentials reach curl through a config file on stdin (-K -), never on the command line,
# where other local users could read them from the process list.
set -uo pipefail

die() { echo "curl adapter: $*" >&2; exit 1; }

base=${ADO_URL:?ADO_URL is not set}
base=${base%/}
operation=${ADO_OPERATION:-list-projects}
project=${ADO_PROJECT:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/curl-adapter.XXXXXX") || die "cannot create a temp dir"
trap 'rm -rf "$work"' EXIT

# curl config quoting: backslashes and double quotes are escaped inside "...".
quote() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }

account() {
  if [ -n "${ADO_DOMAIN:-}" ]; then printf '%s\\%s' "$ADO_DOMAIN" "${ADO_USERNAME:-}"; else printf '%s' "${ADO_USERNAME:-}"; fi
}

credentials() {
  case "${ADO_AUTH:-none}" in
    pat) echo "user = $(quote ":${ADO_PAT:-}")" ;;
    basic) echo "user = $(quote "$(account):${ADO_PASSWORD:-}")" ;;
    bearer) echo "header = $(quote "Authorization: Bearer ${ADO_PAT:-}")" ;;
    job-token) echo "header = $(quote "Authorization: Bearer ${ADO_ACCESS_TOKEN:-}")" ;;
    ntlm) echo "ntlm"; echo "user = $(quote "$(account):${ADO_PASSWORD:-}")" ;;
    # GSS-API from KRB5CCNAME/KRB5_CONFIG; curl's SPNEGO offers Kerberos only (no NTLM fallback).
    kerberos) echo "negotiate"; echo 'user = ":"' ;;
    none) ;;
    *) die "auth '${ADO_AUTH}' is not supported by curl" ;;
  esac
}

# request METHOD URL [BODY-FILE CONTENT-TYPE]: sets $status, writes $work/body and $work/headers.
request() {
  local method=$1 url=$2 body=${3:-} type=${4:-}
  local args=(-sS --max-time 30 -X "$method" -o "$work/body" -D "$work/headers" -w '%{http_code}'
              -H 'Accept: application/json' -K -)
  if [ -n "$body" ]; then args+=(-H "Content-Type: $type" --data-binary "@$body"); fi
  status=$(credentials | curl "${args[@]}" "$url") || die "$method ${url%%\?*} failed: curl exit $?"
}

# The api-version for a write: pinned, or negotiated from OPTIONS {base}/_apis/{area}.
version_for() {
  local area=$1
  if [ -n "${ADO_API_VERSION:-}" ]; then echo "$ADO_API_VERSION"; return; fi
  request OPTIONS "$base/_apis/$area"
  [ "$status" = 200 ] || fail OPTIONS "$base/_apis/$area"
  local max released
  max=$(grep -o '"maxVersion":"[0-9.]*"' "$work/body" | head -n 1 | cut -d'"' -f4)
  released=$(grep -o '"releasedVersion":"[0-9.]*"' "$work/body" | head -n 1 | cut -d'"' -f4)
  [ -n "$max" ] || die "OPTIONS $base/_apis/$area listed no maxVersion"
  if [ -n "$released" ] && [ "$released" != "0.0" ]; then echo "$released"; else echo "$max-preview"; fi
}

with_version() {
  local url=$1
  if [ -n "${ADO_API_VERSION:-}" ]; then echo "$url?api-version=$ADO_API_VERSION"; else echo "$url"; fi
}

fail() {
  local error
  error=$(grep -i '^x-tfs-serviceerror:' "$work/headers" | tail -n 1 | cut -d' ' -f2- | tr -d '\r' \
    | sed 's/+/ /g; s/%\([0-9a-fA-F][0-9a-fA-F]\)/\\x\1/g' | xargs -0 printf '%b' 2>/dev/null)
  case "$status" in
    3??) error=$(grep -i '^location:' "$work/headers" | tail -n 1 | cut -d' ' -f2- | tr -d '\r')
         error=${error:+redirected to ${error%%\?*} (not followed: the credential would go along)} ;;
  esac
  [ -n "$error" ] || error=$(head -c 300 "$work/body" | tr '\r\n' '  ')
  die "HTTP $status from $1 ${2%%\?*}${error:+: $error}"
}

get() {
  local url
  url=$(with_version "$1")
  request GET "$url"
  # A redirect is not the answer asked for (curl does not follow it with the credential).
  [ "$status" -lt 300 ] || fail GET "$url"
  cat "$work/body"; echo
}

post() {
  local url=$1 area=$2 body=$3 type=$4 version
  version=$(version_for "$area") || exit 1
  url="$url?api-version=$version"
  request POST "$url" "$body" "$type"
  [ "$status" -lt 300 ] || fail POST "$url"
  cat "$work/body"; echo
}

case "$operation" in
  connection-data) get "$base/_apis/connectionData" ;;
  list-projects) get "$base/_apis/projects" ;;
  get-project) get "$base/_apis/projects/$project" ;;
  list-repos) get "$base/$project/_apis/git/repositories" ;;
  get-work-item) get "$base/$project/_apis/wit/workitems/${ADO_WORK_ITEM:-1}" ;;
  list-collections) get "$base/_apis/projectCollections" ;;
  create-work-item)
    printf '[{"op":"add","path":"/fields/System.Title","value":"Created by the conformance run"}]' > "$work/doc"
    post "$base/$project/_apis/wit/workitems/\$Task" wit "$work/doc" 'application/json-patch+json' ;;
  create-project)
    printf '{"name":"%s-new","capabilities":{"versioncontrol":{"sourceControlType":"Git"},"processTemplate":{"templateTypeId":"6b724908-ef14-45cf-84f8-768b5384da45"}}}' "${project:-Conformance}" > "$work/doc"
    post "$base/_apis/projects" core "$work/doc" 'application/json' ;;
  *) die "operation '$operation' is not implemented" ;;
esac
