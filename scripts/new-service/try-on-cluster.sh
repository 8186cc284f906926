#!/usr/bin/env bash
# On demand: proves `pnpm new-service` end to end on the local cluster. In a copy of the repository (as it is now,
# uncommitted edits included) it creates the service `billing`, installs and builds, runs `pnpm cluster up` (which
# builds an image per catalogue service and deploys the platform with the new service), then calls the new service
# through the Gateway over HTTPS: /v1/billing/about without a token, /v1/billing/me with an access token from the
# issuer. Afterwards the cluster is put back as it was: `cluster up` from this checkout (billing is removed), or
# `cluster down` if no cluster ran before. Prints each step's time; exits non-zero on the first failure.
#
#   scripts/new-service/try-on-cluster.sh          (root: the local cluster needs it, see docs/local-cluster.md)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export TURBO_TELEMETRY_DISABLED=1
# The copy lives elsewhere: the CRDs stay where this checkout's cluster finds them.
export PLATFORM_CRDS_DIR=${PLATFORM_CRDS_DIR:-$repo/../shared/crds}
step() { echo "[try-on-cluster] $*" >&2; }
timed() {
  local name=$1 started=$SECONDS
  shift
  "$@"
  step "$name: $((SECONDS - started)) s"
}

was_up=false
if bash "$repo/scripts/cluster/cluster.sh" status 2>/dev/null | grep -q '^kube-apiserver .*running'; then was_up=true; fi
copy=$(mktemp -d "${TMPDIR:-/tmp}/try-new-service-XXXXXX")
restore() {
  local status=$?
  if $was_up; then
    step "restoring the cluster from $repo (pnpm cluster up)"
    bash "$repo/scripts/cluster/cluster.sh" up >/dev/null || status=1
  else
    step "no cluster ran before: pnpm cluster down"
    bash "$repo/scripts/cluster/cluster.sh" down >/dev/null || status=1
  fi
  rm -rf "$copy"
  exit "$status"
}
trap restore EXIT
trap 'exit 130' INT TERM

(cd "$repo" && git ls-files --cached --others --exclude-standard -z) | (cd "$repo" && xargs -0 cp --parents -t "$copy" 2>/dev/null) || true
# The local stack's config file holds its secrets salt: the copy deploys to the same stack.
[ -f "$repo/infra/platform/Pulumi.local.yaml" ] && cp "$repo/infra/platform/Pulumi.local.yaml" "$copy/infra/platform/"
cd "$copy"
# As a user would: an installed workspace, the one command, then install again to link the new package.
timed "install" pnpm install --prefer-offline --frozen-lockfile >/dev/null
timed "new-service" node scripts/new-service/new-service.ts billing >&2
timed "install with billing" pnpm install --prefer-offline --no-frozen-lockfile >/dev/null
timed "build and test billing" bash -c 'pnpm --filter "billing..." build >/dev/null && pnpm --filter billing test >/dev/null'
timed "cluster up (three services)" bash scripts/cluster/cluster.sh up >/dev/null

eval "$(bash scripts/cluster/cluster.sh env)"
call() { curl -sS --fail-with-body --cacert "$CA_FILE" "$@"; }
about=$(call "$GATEWAY_URL/v1/billing/about")
step "GET /v1/billing/about -> $about"
[ "$(jq -r .service <<<"$about")" = billing ]
email="try-$(date +%s)@example.com"
password="a long unusual passphrase $(date +%s)"
call -X POST "$GATEWAY_URL/v1/auth/register" -H 'content-type: application/json' \
  -d "$(jq -n --arg e "$email" --arg p "$password" '{email: $e, password: $p}')" >/dev/null
token=$(call -X POST "$GATEWAY_URL/v1/auth/login" -H 'content-type: application/json' \
  -d "$(jq -n --arg e "$email" --arg p "$password" '{email: $e, password: $p}')" | jq -r .accessToken)
me=$(call "$GATEWAY_URL/v1/billing/me" -H "authorization: Bearer $token")
step "GET /v1/billing/me -> $me"
[ -n "$(jq -r .subject <<<"$me")" ]
status=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$CA_FILE" "$GATEWAY_URL/v1/billing/me")
step "GET /v1/billing/me without a token -> $status"
[ "$status" = 401 ]
kubectl --kubeconfig "$KUBECONFIG" get deployment,service,hpa,networkpolicy -n platform -l app.kubernetes.io/name=billing >&2
step "billing runs on the local cluster and answers through the Gateway over HTTPS"
