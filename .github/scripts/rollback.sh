#!/usr/bin/env bash
# Re-applies the images a stack of the platform layer ran before a failed deploy (the file deploy.sh wrote), then
# waits for the rollout. Prints nothing on stdout (everything goes to stderr), like deploy.sh.
#
#   .github/scripts/rollback.sh <stack> <previous-images file>
#
# By hand, write the file yourself: {"app-a": "<registry>/app-a@sha256:...", "app-b": "..."} (see docs/delivery.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/stack-contract.sh"
exec 1>&2

[ "$#" -eq 2 ] || { echo "usage: $0 <stack> <previous-images file>" >&2; exit 2; }
STACK=$1
previous=$(cat "$2")

if [ "$(jq 'length' <<<"$previous")" -eq 0 ]; then
  log "no previous images recorded for $STACK (first deploy): nothing to roll back to"
  exit 1
fi
log "rolling $STACK back to $previous"
apply_images "$previous"
log "rolled back"
