#!/usr/bin/env bash
# Prints the digest (sha256:...) an image tag points at in its registry, or nothing when the tag does not exist.
# The release workflow uses it to reuse a version that a failed run already pushed (the tags are immutable).
#
#   .github/scripts/image-digest.sh <registry>/<app>:<tag>
set -euo pipefail
[ "$#" -eq 1 ] || { echo "usage: $0 <image>:<tag>" >&2; exit 2; }
if ! manifest=$(docker buildx imagetools inspect "$1" --format '{{json .Manifest}}' 2>/dev/null); then
  exit 0 # not found (or not readable): build it
fi
digest=$(jq -r '.digest // empty' <<<"$manifest")
[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "$1: unexpected manifest $manifest" >&2; exit 1; }
echo "$digest"
