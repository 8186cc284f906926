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
for kv in app-a.minReplicas=1 app-a.maxReplicas=1 app-a.cpuRequest=250m app-a.cpuLimit=$a_limit \
  app-b.minReplicas=1 app-b.maxReplicas=1 app-b.cpuRequest=500m app-b.cpuLimit=$b_limit; do
  key=${kv%%=*}
  # `services.<name>.<field>` (infra/README.md, "Per-service config"); --path keeps the other fields.
  cluster pulumi config set --path "services[\"${key%%.*}\"].${key#*.}" "${kv#*=}"
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

# The pod's CPU time and CFS throttling, from its cgroup (cgroupfs driver; burstable QoS: request < limit).
pod_cgroup() {
  local uid qos
  uid=$(kubectl get pods -n "$namespace" -l "app=$1" -o jsonpath='{.items[0].metadata.uid}')
  qos=$(kubectl get pods -n "$namespace" -l "app=$1" -o jsonpath='{.items[0].status.qosClass}' | tr '[:upper:]' '[:lower:]')
  [ "$qos" = guaranteed ] && echo "kubepods/pod$uid" || echo "kubepods/$qos/pod$uid"
}
cpu_ns() { cat "/sys/fs/cgroup/cpuacct/$1/cpuacct.usage"; }
throttled() { awk '$1 == "nr_throttled" { print $2 }' "/sys/fs/cgroup/cpu/$1/cpu.stat"; }

# One step-load run per rate (5 s warm-up at that rate, then the measured step), the pod's CPU read around it.
measure() {
  local app=$1 op=$2 p99=$3 out=$4
  shift 4
  local cg rate t0 t1 c0 c1 n0 n1 rows=()
  cg=$(pod_cgroup "$app")
  for rate in "$@"; do
    t0=$(date +%s%N) c0=$(cpu_ns "$cg") n0=$(throttled "$cg")
    pnpm --filter bench -s step-load -- --base-url "$GATEWAY_URL" --ca-file "$CA_FILE" --op "$op" \
      --steps "$rate" --step-seconds 15 --warmup-seconds 5 --p99-ms "$p99" --out "$out-$rate" >&2
    t1=$(date +%s%N) c1=$(cpu_ns "$cg") n1=$(throttled "$cg")
    rows+=("$(jq -c --argjson cores "$(echo "scale=3; ($c1 - $c0) / ($t1 - $t0)" | bc)" \
      --argjson throttled "$((n1 - n0))" '.steps[0] | {offered: .offeredRps, achieved: .achievedRps,
        p99: .latencyMs.p99, errors, sendLagP99Ms, meets: .meetsObjective, cores: $cores, throttled: $throttled}' \
      "$out-$rate.json")")
  done
  printf '%s\n' "${rows[@]}" | jq -s --arg app "$app" --arg op "$op" --arg limit "$limit_mode" --argjson p99 "$p99" \
    '{app: $app, op: $op, limit: $limit, p99ObjectiveMs: $p99, steps: .}' >"$out.json"
  {
    echo "# $app $op, one pod (limit: $limit_mode), p99 objective $p99 ms"
    echo
    echo "| offered/s | achieved/s | p99 ms | errors | send lag p99 ms | meets | pod CPU (cores) | CFS throttled periods |"
    echo "| --: | --: | --: | --: | --: | :-: | --: | --: |"
    jq -r '.steps[] | "| \(.offered) | \(.achieved | floor) | \(.p99 | floor) | \(.errors) | \(.sendLagP99Ms | floor) | \(if .meets then "yes" else "no" end) | \(.cores) | \(.throttled) |"' "$out.json"
  } >"$out.md"
  for rate in "$@"; do rm -f "$out-$rate.json" "$out-$rate.md"; done
  cat "$out.md" >&2
}
measure app-a get-job 100 "$prefix-$limit_mode-app-a-get-job" 50 100 150 200 300
measure app-b login 300 "$prefix-$limit_mode-app-b-login" 8 16 24 32 40
echo "results: $prefix-$limit_mode-app-a-get-job.md, $prefix-$limit_mode-app-b-login.md" >&2
