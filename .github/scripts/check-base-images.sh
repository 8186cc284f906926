#!/usr/bin/env bash
# Fails when a Dockerfile's base image (an *_IMAGE build argument's default or a FROM image) is not pinned to a real digest: unpinned, or an all-zero placeholder
# (.github/scripts/pin-base-images.sh pins to the digest a tag points at today; see docs/delivery.md "Base images").
#
#   .github/scripts/check-base-images.sh Dockerfile [...]
set -euo pipefail
status=0
for file in "$@"; do
  while read -r image; do
    case $image in
      *@sha256:0000000000000000000000000000000000000000000000000000000000000000)
        echo "$file: $image is a placeholder digest; run .github/scripts/pin-base-images.sh $file" >&2
        status=1 ;;
      *@sha256:*) ;;
      *) echo "$file: $image is not pinned by digest" >&2; status=1 ;;
    esac
  done < <("$(dirname "${BASH_SOURCE[0]}")/base-images.sh" "$file")
done
exit "$status"
