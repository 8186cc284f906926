#!/usr/bin/env bash
# Per-pod capacity measured through the local cluster's Gateway (docs/benchmarks.md, "Per-pod capacity on the
# local cluster"): the local stack is set to one pod per app at the production CPU request and limit (app-a
# 250m / 1, app-b 500m / 1: the kubelet enforces the limit as a CFS quota), then bench's step load offers fixed
# rates (open loop, latency from the scheduled send time) of app-a reads and of app-b logins and refreshes. The
# highest step that meets the p99 objective is the measured per-pod rate. `pnpm cluster up` restores the local
# stack afterwards.
#
#   pnpm cluster up && bench/pod-capacity.sh [results prefix, default bench/results/pod-capacity-<date>]
#   POD_CAPACITY_LIMIT=request bench/pod-capacity.sh   # limit = request: what the pod is guaranteed
#   POD_CAPACITY_OPS=refresh bench/pod-capacity.sh      # only these of: get-job login refresh
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
ops=${POD_CAPACITY_OPS:-get-job login refresh}
for op in $ops; do
  case $op in
    get-job | login | refresh) ;;
    *) echo "POD_CAPACITY_OPS: $op is not one of get-job, login, refresh" >&2; exit 2 ;;
  esac
done
# shellcheck source=bench/lib/one-pod.sh
. bench/lib/one-pod.sh
one_pod_per_app "$a_limit" "$b_limit"

pnpm exec turbo run build --filter=bench --output-logs=errors-only >&2

# CFS throttling from the pod's cgroup (cgroupfs driver; burstable QoS: request < limit), over the whole run.
throttled() { awk '$1 == "nr_throttled" { print $2 }' "/sys/fs/cgroup/cpu/$1/cpu.stat"; }

# One step-load run per rate: set-up writes and a 5 s warm-up at that rate, then the measured step. The pod's CPU
# is read by step-load around the measured step only (--cpu-pid: the pod's node process), so neither the set-up
# writes nor the warm-up's first JIT compilations are charged to the rate.
measure() {
  local app=$1 op=$2 p99=$3 out=$4
  shift 4
  local cg pid rate n0 n1 rows=()
  cg=$(pod_cgroup "$app")
  pid=$(pod_pid "$app")
  for rate in "$@"; do
    n0=$(throttled "$cg")
    pnpm --filter bench -s step-load -- --base-url "$GATEWAY_URL" --ca-file "$CA_FILE" --op "$op" \
      --steps "$rate" --step-seconds 15 --warmup-seconds 5 --p99-ms "$p99" --cpu-pid "$pid" --out "$out-$rate" >&2
    n1=$(throttled "$cg")
    rows+=("$(jq -c --argjson throttled "$((n1 - n0))" '.steps[0] | {offered: .offeredRps, achieved: .achievedRps,
        p99: .latencyMs.p99, errors, sendLagP99Ms, meets: .meetsObjective, cores: .cpu.cores,
        cpuMsPerRequest: .cpu.msPerRequest, throttled: $throttled}' "$out-$rate.json")")
  done
  printf '%s\n' "${rows[@]}" | jq -s --arg app "$app" --arg op "$op" --arg limit "$limit_mode" --argjson p99 "$p99" \
    '{app: $app, op: $op, limit: $limit, p99ObjectiveMs: $p99, steps: .}' >"$out.json"
  {
    echo "# $app $op, one pod (limit: $limit_mode), p99 objective $p99 ms"
    echo
    echo "| offered/s | achieved/s | p99 ms | errors | send lag p99 ms | meets | pod CPU (cores) | CPU ms per request | CFS throttled periods |"
    echo "| --: | --: | --: | --: | --: | :-: | --: | --: | --: |"
    jq -r '.steps[] | "| \(.offered) | \(.achieved | floor) | \(.p99 | floor) | \(.errors) | \(.sendLagP99Ms | floor) | \(if .meets then "yes" else "no" end) | \(.cores * 1000 | round / 1000) | \(.cpuMsPerRequest * 1000 | round / 1000) | \(.throttled) |"' "$out.json"
  } >"$out.md"
  for rate in "$@"; do rm -f "$out-$rate.json" "$out-$rate.md"; done
  cat "$out.md" >&2
}
for op in $ops; do
  case $op in
    get-job) measure app-a get-job 100 "$prefix-$limit_mode-app-a-get-job" 50 100 150 200 300 ;;
    login) measure app-b login 300 "$prefix-$limit_mode-app-b-login" 8 16 24 32 40 ;;
    refresh) measure app-b refresh 300 "$prefix-$limit_mode-app-b-refresh" 25 50 100 150 200 ;;
  esac
done
echo "results: $prefix-$limit_mode-*.md" >&2
