#!/usr/bin/env bash
# Client adapter: git (smart HTTP) and git-lfs behind the conformance client contract.
#
# Operations: git-ls-remote, git-clone, git-fetch, git-push (git.toml) and lfs-push, lfs-pull
# (git-lfs.toml). PATs go in an extra header (the documented workaround, since git wants a
# non-empty user name), passed through GIT_CONFIG_* variables rather than the command line (git-lfs
# reads the same http.extraheader); user/password (Basic or NTLM) come from GIT_ASKPASS, as a
# credential prompt would. Work happens in $TMPDIR, which the runner gives each case.
set -uo pipefail

die() { echo "git adapter: $*" >&2; exit 1; }

base=${ADO_URL:?ADO_URL is not set}
url="${base%/}/${ADO_PROJECT:?}/_git/${ADO_REPO:?}"
work="${TMPDIR:-/tmp}/git-work"
export GIT_TERMINAL_PROMPT=0
# Commits made by the adapter (push operations) need an identity; no global configuration exists.
export GIT_AUTHOR_NAME="Conformance Client" GIT_AUTHOR_EMAIL="client@contoso.local"
export GIT_COMMITTER_NAME="Conformance Client" GIT_COMMITTER_EMAIL="client@contoso.local"

config() { # appends one git configuration entry through the environment
  local i=${GIT_CONFIG_COUNT:-0}
  export GIT_CONFIG_COUNT=$((i + 1)) "GIT_CONFIG_KEY_$i=$1" "GIT_CONFIG_VALUE_$i=$2"
}

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
  pat) config http.extraheader "Authorization: Basic $(printf ':%s' "${ADO_PAT:-}" | base64 -w0)" ;;
  job-token)
    # What the pipelines agent does for a checkout: the job token as a bearer extra header.
    config http.extraheader "AUTHORIZATION: bearer ${ADO_ACCESS_TOKEN:-}" ;;
  basic) askpass ;;
  ntlm) askpass; config http.allowNTLMAuth true ;;
  kerberos)
    # With an empty user name git lets curl run GSS-API Negotiate from the ticket cache.
    config http.emptyAuth true ;;
  none) ;;
  *) die "auth '${ADO_AUTH}' is not supported by git" ;;
esac

lfs_ready() {
  git lfs version >/dev/null 2>&1 || die "git-lfs is not installed (Debian package git-lfs)"
}

clone() { # clone [extra args...]: into $work, LFS content left as pointers
  rm -rf "$work"
  GIT_LFS_SKIP_SMUDGE=1 git clone --quiet "$@" "$url" "$work" || exit 1
}

case "${ADO_OPERATION:-}" in
  git-ls-remote) exec git ls-remote "$url" ;;
  git-clone)
    clone
    git -C "$work" log -1 --format='cloned %H %s' ;;
  git-fetch)
    rm -rf "$work" && git init --quiet "$work" || exit 1
    git -C "$work" fetch --quiet "$url" main || exit 1
    git -C "$work" log -1 --format='fetched %H %s' FETCH_HEAD ;;
  git-push)
    clone
    date +%s%N > "$work/pushed-by-conformance.txt"
    git -C "$work" add pushed-by-conformance.txt && git -C "$work" commit --quiet -m "Conformance push" || exit 1
    git -C "$work" push --quiet origin HEAD:main || exit 1
    git -C "$work" log -1 --format='pushed %H' ;;
  lfs-push)
    lfs_ready
    clone
    git -C "$work" lfs install --local >/dev/null || exit 1
    head -c 2048 /dev/urandom > "$work/assets/pushed.bin"
    git -C "$work" add assets/pushed.bin && git -C "$work" commit --quiet -m "Conformance LFS push" || exit 1
    git -C "$work" push --quiet origin HEAD:main || exit 1
    git -C "$work" lfs ls-files ;;
  lfs-pull)
    lfs_ready
    clone
    git -C "$work" lfs install --local >/dev/null || exit 1
    git -C "$work" lfs pull || exit 1
    # The pulled object replaces its pointer: print its first line, not the pointer's.
    head -c 200 "$work/assets/logo.bin"; echo ;;
  *) die "operation '${ADO_OPERATION:-}' is not implemented" ;;
esac
