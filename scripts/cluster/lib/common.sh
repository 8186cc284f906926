# shellcheck shell=bash
# Shared settings and helpers of the local cluster scripts: paths, addresses, logging, daemon processes.

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
tools_dir=${PLATFORM_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gke-platform}
bin_dir="$tools_dir/bin"
# State that survives `down` (PKI, etcd data, Pulumi state): the next `up` is fast and changes nothing.
state_dir=${PLATFORM_CLUSTER_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/gke-platform/cluster}
# Runtime files (sockets, pid files, containerd state): gone after `down`.
run_dir=/run/gke-platform-cluster
log_dir="$state_dir/logs"
pki="$state_dir/pki"

node_name=local-node
# The node's own bridge: the node address (apiserver, kubelet, metrics-server, FerretDB listen on it) and the pod
# network. Nothing the cluster starts listens on the machine's other interfaces.
bridge=gkep0
node_ip=10.244.0.1
pod_cidr=10.244.0.0/24
service_cidr=10.96.0.0/16
apiserver_service_ip=10.96.0.1
dns_service_ip=10.96.0.10
apiserver_port=6443
etcd_port=2479
etcd_peer_port=2480
# The Gateway implementation's entry points, on loopback: the local Gateway's listener ports.
gateway_http_port=${GATEWAY_HTTP_PORT:-30080}
gateway_https_port=${GATEWAY_HTTPS_PORT:-30443}
ferretdb_port=27017
# Node ports of the in-cluster metrics store and vmalert (the platform layer's metricsNodePort, alertsNodePort).
metrics_node_port=30428
alerts_node_port=30880

admin_kubeconfig="$state_dir/admin.kubeconfig"
containerd_sock="$run_dir/containerd/containerd.sock"
docker_sock="$run_dir/docker.sock"

export PATH="$bin_dir:$PATH"

log() { printf '[cluster] %s\n' "$*" >&2; }
die() {
  printf '[cluster] error: %s\n' "$*" >&2
  exit 1
}

kubectl_admin() { kubectl --kubeconfig "$admin_kubeconfig" "$@"; }

pid_of() {
  local file="$run_dir/$1.pid" pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

is_running() { pid_of "$1" >/dev/null; }

# start_daemon NAME COMMAND...: runs COMMAND in its own session, logging to logs/NAME.log, unless it runs already.
start_daemon() {
  local name=$1
  shift
  is_running "$name" && return 0
  mkdir -p "$run_dir" "$log_dir"
  setsid "$@" >>"$log_dir/$name.log" 2>&1 </dev/null &
  echo $! >"$run_dir/$name.pid"
  log "started $name (pid $!, log $log_dir/$name.log)"
}

# stop_daemon NAME: SIGTERM, then SIGKILL after 15 s, for the process and its whole session.
stop_daemon() {
  local name=$1 pid i
  pid=$(pid_of "$name") || {
    rm -f "$run_dir/$name.pid"
    return 0
  }
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$run_dir/$name.pid"
}

# wait_for WHAT SECONDS COMMAND...: polls COMMAND until it succeeds; on time-out names WHAT and its log.
wait_for() {
  local what=$1 seconds=$2 i
  shift 2
  for i in $(seq 1 $((seconds * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "$what did not become ready within ${seconds} s; see $log_dir/ for its log"
}
