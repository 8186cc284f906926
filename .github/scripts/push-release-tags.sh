#!/usr/bin/env bash
# Pushes the release tags (app-a@1.2.0) of the given apps, at the commit being released. Run only after every
# image of the release is pushed: a tag is the record that a version was released, so a run that fails earlier
# leaves no tag, and the next run (or a re-run) releases the same versions again. A tag that already exists on
# the remote is left alone (a re-run after this step).
#
#   .github/scripts/push-release-tags.sh '<apps JSON: [{"name":"app-a","version":"1.2.0"}]>' [commit]
set -euo pipefail
[ "$#" -ge 1 ] && [ "$#" -le 2 ] || { echo "usage: $0 '<apps JSON>' [commit]" >&2; exit 2; }
commit=${2:-HEAD}
for tag in $(jq -r '.[] | "\(.name)@\(.version)"' <<<"$1"); do
  if git ls-remote --exit-code --tags origin "refs/tags/$tag" >/dev/null; then
    echo "$tag already on origin" >&2
    continue
  fi
  git tag --force "$tag" "$commit"
  git push --quiet origin "refs/tags/$tag"
  echo "pushed $tag" >&2
done
