#!/usr/bin/env bash
# Rolls the given images out to one stack of the platform layer (infra/platform) and waits for the rollout.
#
#   .github/scripts/deploy.sh <stack> <images dir> <previous-images file> >> "$GITHUB_OUTPUT"
#
# <images dir> holds one file per service of the catalogue to change (named after the service, e.g. app-a) containing either its digest
# (sha256:..., pushed to the stack's Artifact Registry repository, the cloud stack's registryUrl; release.yml pushes
# every build to each stack's repository) or a full reference (registry/app-a@sha256:..., e.g. an image imported
# into a local cluster). Apps without a file keep the image they run now; an empty directory re-applies the current
# images (an infra-only change). Before changing anything, the currently deployed images are written to
# <previous-images file> so that rollback.sh can restore them.
#
# Standard output carries only `name=value` lines, the format of $GITHUB_OUTPUT: skipped (true, and nothing else,
# when some service has never been released: nothing is deployed, a notice says which), url (the Gateway's base URL),
# gateway_ip (the address its host name must resolve to, empty when GATEWAY_URL is given), first_deploy (true when
# nothing ran before) and images (JSON, what runs now). Everything pulumi and kubectl print goes to stderr.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/stack-contract.sh"

# fd 3 is the real stdout, for the output lines; everything else, including the tools' own output, goes to stderr.
exec 3>&1 1>&2

[ "$#" -eq 3 ] || { echo "usage: $0 <stack> <images dir> <previous-images file>" >&2; exit 2; }
STACK=$1
images_dir=$2
previous_file=$3

previous=$(deployed_images)
echo "$previous" >"$previous_file"
log "deployed now on $STACK: $previous"

target=$previous
registry=""
for app in "${DEPLOYED_APPS[@]}"; do
  [ -f "$images_dir/$app" ] || continue
  value=$(tr -d '[:space:]' <"$images_dir/$app")
  if [[ $value =~ ^sha256:[0-9a-f]{64}$ ]]; then
    [ -n "$registry" ] || registry=${REGISTRY_URL:-$(cloud_output registryUrl)}
    ref="$registry/$app@$value"
  elif [[ $value =~ $IMAGE_REF_PATTERN && $value == */* ]]; then
    ref=$value
  else
    log "$images_dir/$app: '$value' is neither a sha256 digest nor a full image reference"
    exit 1
  fi
  target=$(jq -c --arg app "$app" --arg ref "$ref" '.[$app] = $ref' <<<"$target")
done
# Before every service has been released once there is nothing complete to deploy: the first pushes of a new
# repository (or a newly added service) end here with a notice instead of failing.
unreleased=$(services_without_image "$target" | paste -sd ' ' -)
if [ -n "$unreleased" ]; then
  log "not deploying to $STACK: no image yet for $unreleased (release it once: add a changeset naming it)"
  echo "::notice title=Deploy skipped::$STACK: no image yet for $unreleased; nothing was changed" >&2
  echo "skipped=true" >&3
  exit 0
fi
log "deploying to $STACK: $target"

apply_images "$target"
{
  echo "skipped=false"
  echo "url=$(gateway_url)"
  echo "gateway_ip=$(gateway_ip)"
  echo "first_deploy=$([ "$(jq 'length' <<<"$previous")" -eq 0 ] && echo true || echo false)"
  echo "images=$(deployed_images)"
} >&3
