#!/usr/bin/env bash
# The infra stacks the workflows deploy, read from the repository variable DEPLOY_STACKS that bootstrap writes
# (its `stacks` config, in promotion order): [{"stack": "dev", "environment": "staging", "approval": false,
# "registry": "<region>-docker.pkg.dev/<project>/platform"}, ...]. The workflows name no stack and no environment:
# a repository that lists only dev deploys only dev, and adding prod is an entry in bootstrap's `stacks`.
# Every command prints `name=value` lines for $GITHUB_OUTPUT on stdout, and everything else on stderr.
#
#   deploy-stacks.sh plan <apps-json> [head]   release.yml: the stacks that exist (their images repository does,
#                                              which their cloud layer creates) -> `registries` (space-separated)
#                                              and `deploys` ([{"stack", "cloud"}] in promotion order: the stacks
#                                              with a released app or an infra change since deployed/<stack>).
#                                              A stack not created yet gets a notice, no image and no deploy.
#   deploy-stacks.sh environment <stack>       deploy.yml: `environment`, the GitHub environment of that stack.
#   deploy-stacks.sh preview                   preview.yml: `stacks`, the stacks whose deploys need no approval.
set -euo pipefail
shopt -s inherit_errexit

SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK_NAME='^[a-z][a-z0-9-]{0,14}$'
# <location>-docker.pkg.dev/<project>/<repository>, the form bootstrap writes.
REGISTRY='^([a-z0-9-]+)-docker\.pkg\.dev/([a-z][a-z0-9-]{4,28}[a-z0-9])/([a-z0-9-]+)$'

fail() {
  echo "::error title=DEPLOY_STACKS::$*" >&2
  exit 1
}

# The validated list, one compact JSON object per line, in promotion order.
stacks() {
  [ -n "${DEPLOY_STACKS:-}" ] ||
    fail "the repository variable DEPLOY_STACKS is not set: run the \`gh variable set\` commands of bootstrap's setRepositoryVariables output (docs/first-deploy.md section 3)"
  jq -e --arg name "$STACK_NAME" --arg registry "$REGISTRY" '
    type == "array" and length > 0
    and all(.[]; type == "object"
      and (.stack | type == "string" and test($name))
      and (.environment | type == "string" and test("^[A-Za-z0-9._-]{1,255}$"))
      and ((.approval // false) | type == "boolean")
      and (.registry | type == "string" and test($registry)))
    and (map(.stack) | unique | length) == length
  ' <<<"$DEPLOY_STACKS" >/dev/null 2>&1 ||
    fail "expected a non-empty JSON list of {stack, environment, approval, registry} with unique stacks (bootstrap's repositoryVariables output), got: $DEPLOY_STACKS"
  jq -c '.[]' <<<"$DEPLOY_STACKS"
}

# 0 when the images repository exists, 1 when Artifact Registry says it does not (NOT_FOUND). Any other answer
# (permission denied, network) stops the release: only a missing repository means "not created yet".
repository_exists() {
  local location project repository answer
  [[ $1 =~ $REGISTRY ]]
  location=${BASH_REMATCH[1]} project=${BASH_REMATCH[2]} repository=${BASH_REMATCH[3]}
  if answer=$(gcloud artifacts repositories describe "$repository" --project "$project" --location "$location" \
    --format 'value(name)' 2>&1); then
    return 0
  fi
  if grep -q NOT_FOUND <<<"$answer"; then return 1; fi
  echo "$answer" >&2
  fail "could not tell whether $1 exists (above); nothing was pushed or deployed"
}

plan() {
  [ "$#" -ge 1 ] && [ "$#" -le 2 ] || { echo "usage: $0 plan <apps-json> [head]" >&2; exit 2; }
  local apps=$1 head=${2:-HEAD} list entry stack registry layers cloud platform released
  released=$(jq -r 'length > 0' <<<"$apps")
  list=$(stacks)
  local registries=() deploys='[]'
  while read -r entry; do
    stack=$(jq -r .stack <<<"$entry")
    registry=$(jq -r .registry <<<"$entry")
    if ! repository_exists "$registry"; then
      echo "::notice title=Stack $stack not created yet::$registry does not exist, so its cloud layer has not run: no image is pushed there and $stack is not deployed by this run. Create it (docs/first-deploy.md, \"Adding a stack later\"); the next release pushes to it and deploys it." >&2
      continue
    fi
    registries+=("$registry")
    layers=$("$SCRIPTS_DIR/changed-layers.sh" "$stack" "$head")
    cloud=$(sed -n 's/^cloud=//p' <<<"$layers")
    platform=$(sed -n 's/^platform=//p' <<<"$layers")
    if [ "$released" = true ] || [ "$cloud" = true ] || [ "$platform" = true ]; then
      deploys=$(jq -c --arg stack "$stack" --argjson cloud "$cloud" '. + [{stack: $stack, cloud: $cloud}]' <<<"$deploys")
    fi
  done <<<"$list"
  [ "${#registries[@]}" -gt 0 ] ||
    fail "no stack of DEPLOY_STACKS exists yet (no images repository): create the first one by hand first (docs/first-deploy.md sections 4 to 8)"
  printf 'registries=%s\n' "${registries[*]}"
  printf 'deploys=%s\n' "$deploys"
}

environment() {
  [ "$#" -eq 1 ] || { echo "usage: $0 environment <stack>" >&2; exit 2; }
  local list environment
  list=$(stacks)
  environment=$(jq -r --arg stack "$1" 'select(.stack == $stack) | .environment' <<<"$list")
  [ -n "$environment" ] ||
    fail "no stack '$1' in DEPLOY_STACKS; the stacks are: $(jq -r .stack <<<"$list" | paste -sd ' ')"
  printf 'environment=%s\n' "$environment"
}

preview() {
  [ "$#" -eq 0 ] || { echo "usage: $0 preview" >&2; exit 2; }
  local list
  list=$(stacks)
  printf 'stacks=%s\n' "$(jq -sc 'map(select(.approval != true) | .stack)' <<<"$list")"
}

command=${1:-}
shift || true
case $command in
  plan | environment | preview) "$command" "$@" ;;
  *) echo "usage: $0 plan <apps-json> [head] | environment <stack> | preview" >&2; exit 2 ;;
esac
