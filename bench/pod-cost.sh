#!/usr/bin/env bash
# What a read costs app-a in its pod against the same build on the host, in one run (docs/benchmarks.md, "The
# pod's cost"): bench/src/pod-cost.ts with one app-a pod at the production CPU request and limit.
#
#   pnpm cluster up && bench/pod-cost.sh [results prefix, default bench/results/pod-cost-<date>] [pod-cost options]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export TURBO_TELEMETRY_DISABLED=1
prefix=${1:-bench/results/pod-cost-$(date -u +%F)}
[[ $prefix == /* ]] || prefix=$PWD/$prefix # pod-cost runs in bench/
shift || true
cluster() { bash scripts/cluster/cluster.sh "$@"; }
set -a
eval "$(cluster env)"
set +a
# shellcheck source=bench/lib/one-pod.sh
. bench/lib/one-pod.sh

# run_pod_cost OUT [options]: needs $namespace (one_pod_per_app sets it).
run_pod_cost() {
  local out=$1 pid pod_ip port dns
  shift
  pid=$(pod_pid app-a)
  pod_ip=$(kubectl get pods -n "$namespace" -l app=app-a -o jsonpath='{.items[0].status.podIP}')
  port=$(kubectl get pods -n "$namespace" -l app=app-a -o jsonpath='{.items[0].spec.containers[0].ports[?(@.name=="http")].containerPort}')
  dns=$(kubectl get service -n kube-system kube-dns -o jsonpath='{.spec.clusterIP}')
  pnpm --filter bench -s pod-cost -- --pod-pid "$pid" --pod-url "http://$pod_ip:$port" --gateway-url "$GATEWAY_URL" \
    --ca-file "$CA_FILE" --cluster-dns "$dns" --out "$out" "$@" >&2
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  one_pod_per_app 1 1
  pnpm exec turbo run build --filter=bench --output-logs=errors-only >&2
  run_pod_cost "$prefix" "$@"
fi
