#!/usr/bin/env bash
# Which layers of a stack changed since it was last deployed, as `cloud=true|false` and `platform=true|false`
# for $GITHUB_OUTPUT. "Last deployed" is the tag deployed/<stack>, which deploy.yml moves after each successful
# deploy; without it (never deployed by CI) both layers count as changed. Comparing with that tag, not with the
# previous push, means a run that was cancelled or failed leaves its changes to the next run instead of losing them.
#
#   .github/scripts/changed-layers.sh <stack> [head]
#
# cloud: infra/cloud/ and infra/src/cloud/; platform: infra/platform/ and infra/src/platform/; both: the rest of
# infra/ (shared code, package.json, tsconfig) and pnpm-lock.yaml. Not changes: tests, Markdown, other stacks' files,
# and the image lines record-images.sh writes into infra/platform/Pulumi.<stack>.yaml (`services.<name>.image`, or
# the pre-catalogue `<prefix>Image` lines it replaces: they record a deploy).
set -euo pipefail
[ "$#" -ge 1 ] && [ "$#" -le 2 ] || { echo "usage: $0 <stack> [head]" >&2; exit 2; }
stack=$1
head=${2:-HEAD}
tag="refs/tags/deployed/$stack"
git fetch --quiet --force origin "+$tag:$tag" 2>/dev/null || true
if ! base=$(git rev-parse --verify --quiet "$tag^{commit}"); then
  echo "deployed/$stack does not exist yet: every layer counts as changed" >&2
  printf 'cloud=true\nplatform=true\n'
  exit 0
fi

cloud=false
platform=false
while read -r file; do
  case $file in
    infra/test/* | *.md) ;;
    infra/cloud/Pulumi.*.yaml | infra/platform/Pulumi.*.yaml)
      [[ $file == */Pulumi.$stack.yaml ]] || continue # another stack's settings
      layer=${file#infra/}
      layer=${layer%%/*}
      if [ "$file" = "infra/platform/Pulumi.$stack.yaml" ] &&
        ! git diff -U0 "$base" "$head" -- "$file" | grep '^[-+] ' |
        grep -vqE '^[-+](      image|  gke-platform:[a-z][A-Za-z0-9]*Image): '; then
        continue # only recorded images changed
      fi
      [ "$layer" = cloud ] && cloud=true || platform=true ;;
    infra/cloud/* | infra/src/cloud/*) cloud=true ;;
    infra/platform/* | infra/src/platform/*) platform=true ;;
    infra/* | pnpm-lock.yaml) cloud=true; platform=true ;;
  esac
done < <(git diff --name-only "$base" "$head" -- infra pnpm-lock.yaml)
printf 'cloud=%s\nplatform=%s\n' "$cloud" "$platform"
