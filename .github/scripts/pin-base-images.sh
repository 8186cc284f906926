#!/usr/bin/env bash
# Pins every base image of a Dockerfile (build-argument defaults and FROM images) to the digest its tag points at today (multi-platform index digest).
# Needs Docker with buildx and network access to the registries; run it when adopting the repository and
# whenever you want newer base images (Renovate does the same through pull requests, .github/renovate.json).
#
#   .github/scripts/pin-base-images.sh Dockerfile
set -euo pipefail
file=${1:-Dockerfile}
"$(dirname "${BASH_SOURCE[0]}")/base-images.sh" "$file" | while read -r image; do
  tag_ref=${image%@*}
  digest=$(docker buildx imagetools inspect "$tag_ref" --format '{{json .Manifest}}' | jq -r .digest)
  [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "could not resolve $tag_ref" >&2; exit 1; }
  echo "$tag_ref -> $digest" >&2
  sed -i -e "s|FROM ${image//|/\\|} |FROM $tag_ref@$digest |" -e "s|_IMAGE=${image//|/\\|}\$|_IMAGE=$tag_ref@$digest|" "$file"
done
.github/scripts/check-base-images.sh "$file"
