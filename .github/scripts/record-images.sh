#!/usr/bin/env bash
# Commits the images a stack runs now (its `images` output) into that stack's configuration file on the newest
# commit of the branch, and pushes. After this, `pulumi preview` of the branch shows no change and a `pulumi up`
# from any up-to-date checkout keeps the running images (config set by deploy.sh alone lives only in the runner).
#
#   .github/scripts/record-images.sh <stack> [branch]      (branch default main; remote origin)
#
# Runs after a deploy that succeeded or was rolled back: either way the file then names what runs. The change is
# re-applied onto the newest branch head on every attempt (no rebase, so it never conflicts with edits to other
# keys), and the commit message carries [skip ci]: recording a deploy is not a change to build or deploy again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/stack-contract.sh"
exec 1>&2

[ "$#" -ge 1 ] && [ "$#" -le 2 ] || { echo "usage: $0 <stack> [branch]" >&2; exit 2; }
STACK=$1
branch=${2:-main}
images=$(deployed_images)
[ "$(jq 'length' <<<"$images")" -gt 0 ] || { log "$STACK runs no images yet: nothing to record"; exit 0; }
file=$(stack_config_file)
summary=$(jq -r 'to_entries | map("\(.key)@\(.value | split("@") | last)") | join(", ")' <<<"$images")

worktree=$(mktemp -d)
cleanup() { git worktree remove --force "$worktree" 2>/dev/null || rm -rf "$worktree"; }
trap cleanup EXIT

for attempt in 1 2 3 4 5; do
  git fetch --quiet origin "$branch"
  cleanup
  git worktree add --quiet --detach "$worktree" FETCH_HEAD
  write_image_config "$worktree/$file" "$images"
  if git -C "$worktree" diff --quiet -- "$file"; then
    log "$file on $branch already names the running images ($summary)"
    exit 0
  fi
  git -C "$worktree" add -- "$file"
  git -C "$worktree" -c user.name="${GIT_AUTHOR_NAME:-github-actions[bot]}" \
    -c user.email="${GIT_AUTHOR_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}" \
    commit --quiet -m "deploy($STACK): record running images $summary [skip ci]"
  if git -C "$worktree" push --quiet origin "HEAD:refs/heads/$branch"; then
    log "recorded on $branch: $summary"
    exit 0
  fi
  log "push attempt $attempt lost a race with another push; retrying on the new head"
  sleep $((attempt * 2))
done
log "could not record the images on $branch; commit $file with: $summary"
exit 1
