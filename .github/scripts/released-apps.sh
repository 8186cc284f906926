#!/usr/bin/env bash
# Turns changesets/action's `publishedPackages` ([{"name":"app-a","version":"1.2.0"}, ...]) into the apps to build
# and deploy, as `apps=<JSON array>` for $GITHUB_OUTPUT. Only packages under apps/ become images.
#
#   .github/scripts/released-apps.sh '<publishedPackages JSON>'
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

[ "$#" -eq 1 ] || { echo "usage: $0 '<publishedPackages JSON>'" >&2; exit 2; }
app_names=$(jq -s '[.[].name]' apps/*/package.json)
apps=$(jq -c --argjson apps "$app_names" '[.[] | select(.name as $n | $apps | index($n)) | {name, version}]' <<<"$1")
echo "apps=$apps"
