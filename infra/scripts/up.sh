#!/usr/bin/env bash
# Stands the whole platform up in order: `pnpm --filter infra build`, then the cloud stack the platform stack
# references (its `cloudStack` config; skipped for a "bring your own cluster" stack), then the platform stack.
# Extra arguments go to both `pulumi up` runs (e.g. --yes, --diff).
#
#   infra/scripts/up.sh <stack> [--secrets-provider <provider>] [pulumi up flags...]    # e.g. up.sh dev --yes
#
# A stack that does not exist yet is created with a Cloud KMS secrets provider, never with Pulumi's default (a
# passphrase, which would encrypt the stack's secrets with whatever PULUMI_CONFIG_PASSPHRASE happens to hold):
# --secrets-provider when given (for any stack this run creates), else bootstrap's key for the stack,
#   gcpkms://projects/<bootstrap project>/locations/<region>/keyRings/pulumi/cryptoKeys/pulumi-secrets-<stack>,
# where the backend is bootstrap's state bucket gs://<bootstrap project>-pulumi-state and <region> is that
# bucket's location (bootstrap puts bucket and key ring in the same region). On any other backend it refuses to
# create a stack without --secrets-provider (`--secrets-provider passphrase` for a throw-away local stack).
# Existing stacks are only selected. docs/first-deploy.md creates every stack before this script is needed.
set -euo pipefail
# A failing command inside $(...) fails the function around it too.
shopt -s inherit_errexit

usage() { echo "usage: $0 <stack> [--secrets-provider <provider>] [pulumi up flags...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
stack=$1
shift
secrets_provider=""
up_flags=()
while [ $# -gt 0 ]; do
  case $1 in
    --secrets-provider) [ $# -ge 2 ] || usage; secrets_provider=$2; shift 2 ;;
    --secrets-provider=*) secrets_provider=${1#*=}; shift ;;
    *) up_flags+=("$1"); shift ;;
  esac
done
infra_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command -v pulumi >/dev/null || { echo "$0: pulumi is required" >&2; exit 1; }

# The provider to create stack <name> (short name, e.g. dev) with; refuses when it cannot know it.
provider_for() {
  local name=$1 backend bucket location
  if [ -n "$secrets_provider" ]; then printf '%s\n' "$secrets_provider"; return; fi
  backend=$(pulumi whoami --json | sed -n 's/^ *"url": *"\([^"]*\)".*/\1/p')
  bucket=${backend#gs://}
  if [[ $backend != gs://* || $bucket != *-pulumi-state ]]; then
    echo "$0: stack $name does not exist, and the backend ($backend) is not bootstrap's state bucket" \
      "(gs://<project>-pulumi-state), so its Cloud KMS key is unknown. Create the stack as docs/first-deploy.md" \
      "does, or pass --secrets-provider gcpkms://projects/<project>/locations/<region>/keyRings/pulumi/cryptoKeys/pulumi-secrets-$name" \
      "(or --secrets-provider passphrase for a throw-away stack)." >&2
    return 1
  fi
  command -v gcloud >/dev/null || { echo "$0: gcloud is required to find bootstrap's key for stack $name (or pass --secrets-provider)" >&2; return 1; }
  location=$(gcloud storage buckets describe "gs://$bucket" --format='value(location)') ||
    { echo "$0: cannot read the location of gs://$bucket (pass --secrets-provider)" >&2; return 1; }
  printf 'gcpkms://projects/%s/locations/%s/keyRings/pulumi/cryptoKeys/pulumi-secrets-%s\n' \
    "${bucket%-pulumi-state}" "${location,,}" "$name"
}

# Selects the stack in a layer's folder, creating it with its KMS secrets provider when it does not exist.
select_stack() {
  local dir=$1 name=$2 err provider
  if err=$(pulumi --cwd "$dir" stack select "$name" 2>&1); then return; fi
  [[ $err == *"no stack named"* ]] || { printf '%s\n' "$err" >&2; return 1; }
  provider=$(provider_for "${name##*/}")
  echo "== creating stack $name in $(basename "$dir") with secrets provider $provider" >&2
  pulumi --cwd "$dir" stack init "$name" --secrets-provider "$provider"
}

(cd "$infra_dir/.." && pnpm --filter infra build)

select_stack "$infra_dir/platform" "$stack"
cloud_stack=$(pulumi --cwd "$infra_dir/platform" config get --stack "$stack" cloudStack 2>/dev/null || true)
if [ -n "$cloud_stack" ]; then
  echo "== cloud layer: $cloud_stack"
  select_stack "$infra_dir/cloud" "$cloud_stack"
  pulumi --cwd "$infra_dir/cloud" up --stack "$cloud_stack" ${up_flags[@]+"${up_flags[@]}"}
else
  echo "== cloud layer: none (cloudStack is not set; bring your own cluster)"
fi
echo "== platform layer: $stack"
pulumi --cwd "$infra_dir/platform" up --stack "$stack" ${up_flags[@]+"${up_flags[@]}"}
pulumi --cwd "$infra_dir/platform" stack output --stack "$stack" gatewayUrl
