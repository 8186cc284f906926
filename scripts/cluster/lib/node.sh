# shellcheck shell=bash
# The node: its bridge, containerd + runc with the Debian CNI plugins, the kubelet and kube-proxy.
#
# This machine kind has hybrid cgroups (v1 controllers plus a cgroup2 mount) and no CAP_SYS_RESOURCE, which sets
# runc (crun refuses hybrid mode), `restrict_oom_score_adj`, the kubelet's cgroupfs driver and `oomScoreAdj: 0`.

ensure_network() {
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type bridge
    ip addr add "$node_ip/24" dev "$bridge"
  fi
  ip link set "$bridge" up
  # Pod -> Service -> pod on the same bridge is routed by the host, and bridged frames must see kube-proxy's
  # rules. The previous values are put back by `down`.
  if [ ! -f "$state_dir/sysctl.saved" ]; then
    {
      echo "net.ipv4.ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)"
      echo "net.bridge.bridge-nf-call-iptables=$(cat /proc/sys/net/bridge/bridge-nf-call-iptables)"
    } >"$state_dir/sysctl.saved"
  fi
  echo 1 >/proc/sys/net/ipv4/ip_forward
  echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
}

write_containerd_config() {
  local pause_image
  # The pause image is built (step pause) once dockerd runs; containerd needs only its reference.
  pause_image=$(scratch_ref pause pause)
  mkdir -p "$state_dir/containerd" "$state_dir/cni" "$run_dir/containerd"
  cat >"$state_dir/containerd/config.toml" <<TOML
version = 2
root = "$state_dir/containerd/root"
state = "$run_dir/containerd/state"
[grpc]
  address = "$containerd_sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause_image"
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$state_dir/cni"
TOML
  cat >"$state_dir/cni/10-gke-platform.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "gke-platform",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$bridge",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$pod_cidr", "gateway": "$node_ip", "rangeStart": "10.244.0.10" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$state_dir/cni/ipam"
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
}

start_containerd() {
  write_containerd_config
  start_daemon containerd containerd --config "$state_dir/containerd/config.toml"
  wait_for containerd 30 ctr --address "$containerd_sock" version
}

write_kubelet_config() {
  mkdir -p "$state_dir/kubelet"
  cat >"$state_dir/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $node_ip
port: 10250
readOnlyPort: 0
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $pki/ca.crt }
authorization: { mode: Webhook }
tlsCertFile: $pki/kubelet.crt
tlsPrivateKeyFile: $pki/kubelet.key
clusterDomain: cluster.local
clusterDNS: [$dns_service_ip]
resolvConf: /etc/resolv.conf
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
oomScoreAdj: 0
protectKernelDefaults: true
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
containerRuntimeEndpoint: unix://$containerd_sock
evictionHard: { memory.available: "200Mi", nodefs.available: "2%", imagefs.available: "2%" }
shutdownGracePeriod: 0s
YAML
}

# The kubelet runs in its own mount namespace, where the three kernel settings it insists on read as expected
# (protectKernelDefaults: it checks and never writes), so the machine's own sysctls stay as they are. Its root
# directory is a shared mount, so the volumes it mounts there (secrets, tokens) reach containerd's namespace.
start_kubelet() {
  write_kubelet_config
  local root="$state_dir/kubelet/root"
  mkdir -p "$root"
  if ! grep -q " $root " /proc/self/mountinfo; then
    mount --bind "$root" "$root"
    mount --make-shared "$root"
  fi
  local sysctls="$state_dir/kubelet/sysctls"
  mkdir -p "$sysctls"
  echo 1 >"$sysctls/overcommit_memory"
  echo 10 >"$sysctls/panic"
  echo 1 >"$sysctls/panic_on_oops"
  start_daemon kubelet unshare --mount --propagation unchanged -- sh -c '
    mount --make-rprivate /proc
    mount --bind "$1/overcommit_memory" /proc/sys/vm/overcommit_memory
    mount --bind "$1/panic" /proc/sys/kernel/panic
    mount --bind "$1/panic_on_oops" /proc/sys/kernel/panic_on_oops
    shift
    exec "$@"' sh "$sysctls" kubelet \
    --config "$state_dir/kubelet/config.yaml" \
    --kubeconfig "$state_dir/kubelet.kubeconfig" \
    --root-dir "$root" \
    --hostname-override "$node_name" --node-ip "$node_ip"
  wait_for "node $node_name" 90 sh -c "kubectl --kubeconfig '$admin_kubeconfig' get node '$node_name' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
}

start_kube_proxy() {
  # kube-proxy exits when its configuration file is written, even with the same content: a second `up` leaves
  # a running one alone (it once left Services without endpoints after a re-run of `up`).
  is_running kube-proxy && return 0
  cat >"$state_dir/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: { kubeconfig: $state_dir/kube-proxy.kubeconfig }
hostnameOverride: $node_name
bindAddress: $node_ip
clusterCIDR: $pod_cidr
mode: iptables
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
conntrack: { maxPerCore: 0 }
YAML
  start_daemon kube-proxy kube-proxy --config "$state_dir/kube-proxy.yaml"
}
