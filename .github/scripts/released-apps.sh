#!/usr/bin/env bash
# Lists the apps that `changeset tag` just tagged, as `apps=<JSON array of {name, version}>` for $GITHUB_OUTPUT.
# Reads the report the Changesets CLI writes to $CHANGESETS_OUTPUT (one JSON event per line, e.g.
# {"type":"git-tag","tag":"app-a@1.2.0","packageName":"app-a"}); no report means nothing was tagged.
# Only packages under apps/ become images.
#
#   .github/scripts/released-apps.sh <report file>
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

[ "$#" -eq 1 ] || { echo "usage: $0 <changesets report file>" >&2; exit 2; }
if [ ! -s "$1" ]; then
  echo "apps=[]"
  exit 0
fi
app_names=$(jq -s '[.[].name]' apps/*/package.json)
apps=$(jq -sc --argjson apps "$app_names" '
  [.[] | select(.type == "git-tag" and (.packageName as $n | $apps | index($n)))
       | {name: .packageName, version: (.packageName as $n | .tag | ltrimstr($n + "@"))}]' "$1")
echo "apps=$apps"
