# shellcheck shell=bash
# Sourced by bench/pod-capacity.sh and bench/pod-cost.sh: the local stack with one pod per app at the production CPU
# request and limit (app-a 250m / 1, app-b 500m / 1; the kubelet enforces the limit as a CFS quota), so what the
# Gateway serves is one pod's work. `pnpm cluster up` restores the stack's own settings on exit.
# Needs: the working directory at the repository's root, `cluster` (scripts/cluster/cluster.sh), the cluster's env.

namespace= # the stack's namespace, set by one_pod_per_app

restore_stack() { echo "restoring the local stack (pnpm cluster up)" >&2; cluster up >/dev/null; }

# one_pod_per_app A_LIMIT B_LIMIT: sets the stack and waits until exactly one pod of each app is ready.
one_pod_per_app() {
  local a_limit=$1 b_limit=$2 kv key app
  trap restore_stack EXIT
  for kv in app-a.minReplicas=1 app-a.maxReplicas=1 app-a.cpuRequest=250m "app-a.cpuLimit=$a_limit" \
    app-b.minReplicas=1 app-b.maxReplicas=1 app-b.cpuRequest=500m "app-b.cpuLimit=$b_limit"; do
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
}

# pod_cgroup APP: the pod's cgroup path under a controller (cgroupfs driver).
pod_cgroup() {
  local uid qos
  uid=$(kubectl get pods -n "$namespace" -l "app=$1" -o jsonpath='{.items[0].metadata.uid}')
  qos=$(kubectl get pods -n "$namespace" -l "app=$1" -o jsonpath='{.items[0].status.qosClass}' | tr '[:upper:]' '[:lower:]')
  [ "$qos" = guaranteed ] && echo "kubepods/pod$uid" || echo "kubepods/$qos/pod$uid"
}

# pod_pid APP: the host pid of the app container's node process (not the pod's pause process).
pod_pid() {
  local pid
  while read -r pid; do
    if [[ $(tr '\0' ' ' <"/proc/$pid/cmdline") == *dist/main.js* ]]; then
      echo "$pid"
      return
    fi
  done < <(cat "/sys/fs/cgroup/cpuacct/$(pod_cgroup "$1")"/*/cgroup.procs)
  echo "no node process of $1 in its pod's cgroup" >&2
  return 1
}
