#!/usr/bin/env bash
# Lists the apps a release run must build and deploy, as `apps=<JSON array of {name, version}>` and
# `versions=app-a=1.2.0 app-b=0.4.1` (what the smoke test expects them to serve) for $GITHUB_OUTPUT. Reads changesets/action's `published-packages` output ([{"name":"app-a","version":"1.2.0"}]):
# the packages whose current version `changeset git-tag` found untagged. Only the services of the catalogue
# (packages/contract/src/services.json) become images (.changeset/config.json ignores every other package, so none
# should appear; they are dropped here too).
#
#   .github/scripts/released-apps.sh '<published-packages JSON>'
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

[ "$#" -eq 1 ] || { echo "usage: $0 '<published-packages JSON>'" >&2; exit 2; }
published=${1:-[]}
# The services of the catalogue, whatever their names (CATALOGUE overrides the file, for tests).
app_names=$(jq '[.services[].name]' "${CATALOGUE:-packages/contract/src/services.json}")
apps=$(jq -c --argjson apps "$app_names" '[.[] | select(.name as $n | $apps | index($n)) | {name, version}]' <<<"$published")
echo "apps=$apps"
echo "versions=$(jq -r 'map("\(.name)=\(.version)") | join(" ")' <<<"$apps")"
