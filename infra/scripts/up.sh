#!/usr/bin/env bash
# Stands the whole platform up in order: `pnpm --filter infra build`, then the cloud stack the platform stack
# references (its `cloudStack` config; skipped for a "bring your own cluster" stack), then the platform stack.
# Extra arguments go to both `pulumi up` runs (e.g. --yes, --diff).
#
#   infra/scripts/up.sh <stack> [pulumi up flags...]      # e.g. infra/scripts/up.sh dev --yes
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 <stack> [pulumi up flags...]" >&2; exit 2; }
stack=$1
shift
infra_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command -v pulumi >/dev/null || { echo "$0: pulumi is required" >&2; exit 1; }

(cd "$infra_dir/.." && pnpm --filter infra build)

pulumi --cwd "$infra_dir/platform" stack select --create "$stack"
cloud_stack=$(pulumi --cwd "$infra_dir/platform" config get --stack "$stack" cloudStack 2>/dev/null || true)
if [ -n "$cloud_stack" ]; then
  echo "== cloud layer: $cloud_stack"
  pulumi --cwd "$infra_dir/cloud" stack select --create "$cloud_stack"
  pulumi --cwd "$infra_dir/cloud" up --stack "$cloud_stack" "$@"
else
  echo "== cloud layer: none (cloudStack is not set; bring your own cluster)"
fi
echo "== platform layer: $stack"
pulumi --cwd "$infra_dir/platform" up --stack "$stack" "$@"
pulumi --cwd "$infra_dir/platform" stack output --stack "$stack" gatewayUrl
