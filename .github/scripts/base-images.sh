#!/usr/bin/env bash
# Lists a Dockerfile's base images, one per line: the defaults of `ARG <NAME>_IMAGE=<ref>` lines (the Dockerfile
# takes its base images as build arguments) and any literal FROM image that is neither a stage nor `${...}`.
#
#   .github/scripts/base-images.sh Dockerfile
set -euo pipefail
file=${1:-Dockerfile}
awk '
  toupper($1) == "ARG" && $2 ~ /^[A-Z_]+_IMAGE=/ { sub(/^[A-Z_]+_IMAGE=/, "", $2); print $2; next }
  toupper($1) == "FROM" {
    for (i = 2; i <= NF; i++) if ($i !~ /^--/) { image = $i; break }
    if (toupper($(NF-1)) == "AS") stages[$NF] = 1
    if (image !~ /^\$/ && !(image in stages)) print image
  }' "$file" | sort -u
