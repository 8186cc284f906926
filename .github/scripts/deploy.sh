#!/usr/bin/env bash
# Rolls the given images out to one stack and waits for the rollout.
#
#   .github/scripts/deploy.sh <stack> <digests dir> <previous-images file>
#
# <digests dir> holds one file per released app (named after the app, e.g. app-a) containing its image digest
# (sha256:...); apps without a file keep the image they run now. The image must already be in the stack's
# Artifact Registry repository (output registryUrl): release.yml pushes every build to each stack's repository.
# Before changing anything, the currently deployed images are written to <previous-images file> so that
# rollback.sh can restore them. Prints `url=<gateway URL>` for $GITHUB_OUTPUT.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/stack-contract.sh"

[ "$#" -eq 3 ] || { echo "usage: $0 <stack> <digests dir> <previous-images file>" >&2; exit 2; }
STACK=$1
digests=$2
previous_file=$3

previous=$(deployed_images)
echo "$previous" >"$previous_file"
log "deployed now on $STACK: $previous"

registry=$(stack_output registryUrl)
target=$previous
for entry in "${DEPLOYED_APPS[@]}"; do
  app=${entry%%:*}
  if [ -f "$digests/$app" ]; then
    digest=$(tr -d '[:space:]' <"$digests/$app")
    [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || { log "$digests/$app: '$digest' is not a sha256 digest"; exit 1; }
    target=$(jq --arg app "$app" --arg ref "$registry/$app@$digest" '.[$app] = $ref' <<<"$target")
  fi
done
log "deploying to $STACK: $target"

apply_images "$target"
echo "url=$(stack_output gatewayUrl)"
