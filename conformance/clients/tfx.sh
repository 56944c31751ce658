#!/usr/bin/env bash
# Client adapter: tfx-cli (npm, installed in node/node_modules by .ci/run) behind the conformance
# client contract. One operation, publish-extension: `tfx extension publish` packages a small
# extension (written to $TMPDIR) and publishes it to the gallery at ADO_URL (the server URL:
# on premises the gallery is a deployment-level area). tfx takes credentials on its command
# line (--token or --username/--password), as its users pass them.
set -uo pipefail

die() { echo "tfx adapter: $*" >&2; exit 1; }

here="$(cd "$(dirname "$0")" && pwd)"
tfx="$here/node/node_modules/.bin/tfx"
[ -x "$tfx" ] || die "tfx-cli is not installed: run 'npm ci' in $here/node (.ci/run does)"
[ "${ADO_OPERATION:-}" = "publish-extension" ] || die "operation '${ADO_OPERATION:-}' is not implemented"

work="${TMPDIR:-/tmp}/tfx-extension"
mkdir -p "$work" && cd "$work" || exit 1
cat > vss-extension.json <<'JSON'
{
  "manifestVersion": 1,
  "id": "conformance-extension",
  "publisher": "contoso",
  "version": "1.0.0",
  "name": "Conformance extension",
  "description": "Published by the conformance runner's tfx adapter",
  "targets": [{ "id": "Microsoft.VisualStudio.Services" }],
  "categories": ["Azure Boards"],
  "files": [{ "path": "readme.md", "addressable": true }],
  "contributions": [{
    "id": "hub", "type": "ms.vss-web.hub", "targets": ["ms.vss-work-web.work-hub-group"],
    "properties": { "name": "Conformance", "uri": "readme.md" }
  }]
}
JSON
echo "# Conformance extension" > readme.md

case "${ADO_AUTH:-none}" in
  pat) auth=(--auth-type pat --token "${ADO_PAT:-}") ;;
  basic)
    user="${ADO_USERNAME:-}"; [ -n "${ADO_DOMAIN:-}" ] && user="${ADO_DOMAIN}\\${user}"
    auth=(--auth-type basic --username "$user" --password "${ADO_PASSWORD:-}") ;;
  *) die "auth '${ADO_AUTH:-none}' is not supported by tfx" ;;
esac

exec "$tfx" extension publish --manifest-globs vss-extension.json --service-url "${ADO_URL:?}" \
  "${auth[@]}" --no-wait-validation --no-prompt --no-color
