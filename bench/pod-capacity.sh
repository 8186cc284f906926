#!/usr/bin/env bash
# Per-pod capacity measured through the local cluster's Gateway (docs/benchmarks.md, "Per-pod capacity on the
# local cluster"): the local stack is set to one pod per app at the production CPU request and limit (app-a
# 250m / 1, app-b 500m / 1: the kubelet enforces the limit as a CFS quota), then bench's step load offers fixed
# rates (open loop, latency from the scheduled send time) of app-a reads and of app-b logins. The highest step that
# meets the p99 objective is the measured per-pod rate. `pnpm cluster up` restores the local stack afterwards.
#
#   pnpm cluster up && bench/pod-capacity.sh [results prefix, default bench/results/pod-capacity-<date>]
#   POD_CAPACITY_LIMIT=request bench/pod-capacity.sh   # limit = request: what the pod is guaranteed
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export TURBO_TELEMETRY_DISABLED=1
prefix=${1:-bench/results/pod-capacity-$(date -u +%F)}
[[ $prefix == /* ]] || prefix=$PWD/$prefix # step-load runs in bench/
limit_mode=${POD_CAPACITY_LIMIT:-production}
cluster() { bash scripts/cluster/cluster.sh "$@"; }

set -a
eval "$(cluster env)"
set +a
case $limit_mode in
  production) a_limit=1 b_limit=1 ;;
  request) a_limit=250m b_limit=500m ;;
  *) echo "POD_CAPACITY_LIMIT must be production or request" >&2; exit 2 ;;
esac
restore() { echo "restoring the local stack (pnpm cluster up)" >&2; cluster up >/dev/null; }
trap restore EXIT
for kv in appAMinReplicas=1 appAMaxReplicas=1 appACpuRequest=250m appACpuLimit=$a_limit \
  appBMinReplicas=1 appBMaxReplicas=1 appBCpuRequest=500m appBCpuLimit=$b_limit; do
  cluster pulumi config set "${kv%%=*}" "${kv#*=}"
done
cluster pulumi up --yes --skip-preview >&2
namespace=$(cluster pulumi stack output namespace)
for app in app-a app-b; do
  # The HPA takes the surplus pods away; wait until exactly one runs.
  for _ in $(seq 1 120); do
    [ "$(kubectl get pods -n "$namespace" -l "app=$app" --no-headers 2>/dev/null | wc -l)" -eq 1 ] && break
    sleep 2
  done
  kubectl rollout status deployment "$app" -n "$namespace" --timeout 120s >&2
done
kubectl get pods -n "$namespace" -o custom-columns=NAME:.metadata.name,CPU_REQ:.spec.containers[0].resources.requests.cpu,CPU_LIMIT:.spec.containers[0].resources.limits.cpu >&2

pnpm exec turbo run build --filter=bench --output-logs=errors-only >&2
step() { pnpm --filter bench -s step-load -- --base-url "$GATEWAY_URL" --ca-file "$CA_FILE" "$@"; }
step --op get-job --steps 100,200,300,400,500,600,800 --step-seconds 15 --p99-ms 100 --all-steps \
  --out "$prefix-$limit_mode-app-a-get-job"
step --op login --steps 4,8,12,16,20,24,32 --step-seconds 15 --p99-ms 300 --all-steps \
  --out "$prefix-$limit_mode-app-b-login"
echo "results: $prefix-$limit_mode-app-a-get-job.md, $prefix-$limit_mode-app-b-login.md" >&2
