#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, with the platform layer deployed onto it by the real
# Pulumi engine (`pnpm cluster <command>`):
#
#   up       start the cluster (control plane, node, DNS, metrics, NetworkPolicies, Gateway), build and import
#            both app images, `pulumi up` the platform layer; idempotent, and resumes an interrupted run
#   env      print KUBECONFIG=, GATEWAY_URL= (https), GATEWAY_HTTP_URL=, CA_FILE= (the CA of the Gateway's
#            certificate), METRICS_URL= (the metrics store's Prometheus API), ALERTS_URL= (vmalert's) and the
#            PULUMI_* variables of the local stack: eval "$(pnpm -s cluster env)"
#   dashboard  the URL of the platform's dashboard (vmui of the in-cluster metrics store), reachable from this host
#   status   what runs
#   steps    the steps of `up` and `down`, each with the processes it runs and the host state it changes
#   down     stop everything; no process, mount, bridge, iptables chain, netns or cgroup stays behind
#            (`down --purge` also deletes the cluster's state: etcd data, PKI, Pulumi state)
#   pulumi   the Pulumi CLI on the local stack of infra/platform (`pnpm cluster pulumi preview --diff`)
#   image    build apps/<app> into the node's runtime and print its reference (`pnpm cluster image app-a 0.2.0`);
#            `--never-ready` after the version builds that image with an entry point that never listens, to
#            rehearse a deploy that fails (`pnpm cluster image app-a 0.3.0 --never-ready`)
#
# Needs root, and the tools `scripts/install-cluster-tools.sh` installs (it says what it builds).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# A failing command inside $(...) fails the script too (an image build that fails must not yield an empty ref).
shopt -s inherit_errexit
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
. "$here/lib/common.sh"
# shellcheck source=lib/pki.sh
. "$here/lib/pki.sh"
# shellcheck source=lib/control-plane.sh
. "$here/lib/control-plane.sh"
# shellcheck source=lib/node.sh
. "$here/lib/node.sh"
# shellcheck source=lib/images.sh
. "$here/lib/images.sh"
# shellcheck source=lib/addons.sh
. "$here/lib/addons.sh"
# shellcheck source=lib/platform.sh
. "$here/lib/platform.sh"
# shellcheck source=lib/teardown.sh
. "$here/lib/teardown.sh"
# shellcheck source=lib/steps.sh
. "$here/lib/steps.sh"

preflight() {
  [ "$(id -u)" -eq 0 ] || die "the local cluster needs root (it runs containerd, the kubelet and iptables): sudo pnpm cluster up"
  local missing=() tool
  for tool in pulumi pulumi-language-nodejs pulumi-resource-kubernetes kube-apiserver kube-controller-manager \
    kube-scheduler kubelet kube-proxy kubectl coredns metrics-server traefik kube-router crictl pause \
    victoria-metrics vmalert kube-state-metrics prometheus-adapter; do
    [ -x "$bin_dir/$tool" ] || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] ||
    die "missing ${missing[*]} in $bin_dir: run scripts/install-cluster-tools.sh (builds them from tools/; about 25 minutes on 2 cores the first time)"
  for tool in etcd containerd runc dockerd mmdebstrap iptables ipset ip unshare openssl curl node pnpm; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [ -x /usr/lib/cni/bridge ] || missing+=("containernetworking-plugins")
  postgres_bin >/dev/null || missing+=("postgresql")
  [ ${#missing[@]} -eq 0 ] ||
    die "missing ${missing[*]}: run scripts/install-cluster-tools.sh system (Debian packages), and scripts/bootstrap.sh for node and pnpm"
  [ -d /proc/sys/net/bridge ] || die "the br_netfilter kernel module is not loaded (modprobe br_netfilter)"
  [ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || die "no memory cgroup controller is mounted"
}

cmd_up() {
  preflight
  up_started=$SECONDS
  mkdir -p "$state_dir" "$run_dir" "$log_dir"
  run_steps_up
  log "up in $((SECONDS - up_started)) s"
  cat <<TXT

The platform runs on the local cluster. The Gateway:
  $(gateway_url)

Try it:
  eval "\$(pnpm -s cluster env)"
  curl --cacert "\$CA_FILE" -X POST "\$GATEWAY_URL/v1/auth/register" -H 'content-type: application/json' \\
    -d '{"email":"ada@example.com","password":"correct horse battery staple"}'
  kubectl get pods -n "$(pulumi_stack stack output namespace 2>/dev/null || echo platform)"
TXT
}

gateway_url() { echo "https://127.0.0.1:$gateway_https_port"; }
metrics_url() { echo "http://$node_ip:$metrics_node_port"; }

cmd_env() {
  echo "KUBECONFIG=$admin_kubeconfig"
  echo "GATEWAY_URL=$(gateway_url)"
  echo "GATEWAY_HTTP_URL=http://127.0.0.1:$gateway_http_port"
  echo "CA_FILE=$pki/gateway-ca.crt"
  # The in-cluster metrics store's Prometheus HTTP API (/api/v1/query) and vmalert's API (/api/v1/alerts).
  echo "METRICS_URL=$(metrics_url)"
  echo "ALERTS_URL=http://$node_ip:$alerts_node_port"
  pulumi_env_lines
}

cmd_status() {
  local name pid
  for name in $(step_processes); do
    if pid=$(pid_of "$name"); then
      printf '%-24s running (pid %s)\n' "$name" "$pid"
    else
      printf '%-24s stopped\n' "$name"
    fi
  done
  if is_running kube-apiserver; then
    kubectl_admin get nodes -o wide
    kubectl_admin get pods --all-namespaces -o wide
  fi
}

case ${1:-} in
  up) cmd_up ;;
  env) cmd_env ;;
  dashboard) echo "$(metrics_url)/vmui/#/dashboards" ;;
  status) cmd_status ;;
  steps) print_steps ;;
  down) cmd_down "${2:-}" ;;
  image)
    [ -n "${2:-}" ] || die "usage: cluster.sh image <app> [version [--never-ready]]"
    is_running dockerd || die "the cluster is not running: pnpm cluster up"
    case ${4:-} in
      "") app_image "$2" "$(base_image)" "${3:-}" ;;
      --never-ready) never_ready_image "$(app_image "$2" "$(base_image)" "${3:-}")" ;;
      *) die "usage: cluster.sh image <app> [version [--never-ready]]" ;;
    esac
    ;;
  pulumi)
    shift
    pulumi_env
    pulumi_stack "$@"
    ;;
  *)
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
