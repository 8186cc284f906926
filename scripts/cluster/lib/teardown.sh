# shellcheck shell=bash
# The downs of the cluster's steps (lib/steps.sh) and `pnpm cluster down`: once a step's processes are stopped,
# its down removes what it left in the kernel: pods (through the CRI, so the CNI plugins release their network
# namespaces), shims, mounts, cgroups, iptables chains and ipsets, the bridge; and puts back the two sysctls `up`
# changed.

# kubelet: its pods, through the CRI while containerd still runs, then whatever the CRI could not remove
# (dockerd's build containers, half-created tasks), then the pods' network namespaces.
remove_node_pods() {
  if is_running containerd; then
    crictl --runtime-endpoint "unix://$containerd_sock" --timeout 30s rmp --all --force >/dev/null 2>&1 || true
    local ns id
    for ns in $(ctr --address "$containerd_sock" namespaces ls -q 2>/dev/null); do
      for id in $(ctr --address "$containerd_sock" -n "$ns" tasks ls -q 2>/dev/null); do
        ctr --address "$containerd_sock" -n "$ns" tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
      done
    done
  fi
  remove_netns
}

# containerd: shims that outlived it, every mount under the state and run dirs (snapshots, the kubelet's root and
# the volumes in it), the containers' cgroups.
remove_containerd() {
  kill_leftover_shims
  unmount_under "$state_dir"
  unmount_under "$run_dir"
  remove_cgroups
}

remove_kube_proxy() { kube-proxy --cleanup >/dev/null 2>&1 || true; }

remove_kube_router() {
  remove_chains 'KUBE-ROUTER-[^ ]*|KUBE-NWPLCY-[^ ]*|KUBE-POD-FW-[^ ]*'
  local set
  for set in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router)' || true); do
    ipset destroy "$set" 2>/dev/null || true
  done
}

# network, the last down: the bridge, the CNI plugins' chains and whatever chain of ours is left (the kubelet's
# KUBE-FIREWALL and the like), the sysctls, the CNI's address leases.
remove_network() {
  remove_netns
  ip link delete "$bridge" 2>/dev/null || true
  remove_chains 'KUBE-[^ ]*|CNI-[^ ]*'
  restore_sysctls
  rm -rf "$state_dir/cni/ipam"
}

kill_leftover_shims() {
  local pid
  for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $containerd_sock" || true); do
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  done
}

unmount_under() {
  local dir=$1 target
  # Deepest first; mountinfo escapes spaces as \040 (none of these paths have any).
  for target in $(awk -v d="$dir" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r); do
    umount -l "$target" 2>/dev/null || true
  done
}

remove_netns() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^cni-/ {print $1}'); do
    ip netns delete "$ns" 2>/dev/null || true
  done
}

# remove_chains PATTERN: iptables chains whose names match PATTERN (an extended regex), in every table: the rules
# in the machine's own chains that jump into them, then the chains. The machine's own chains are left alone.
remove_chains() {
  local ours=$1 table chain rule
  for table in filter nat mangle raw; do
    # Rules in the machine's own chains that jump into ours, deleted by their full spec (iptables-save quotes
    # comments the way a shell reads them, hence eval).
    iptables-save -t "$table" 2>/dev/null | { grep -E "^-A [^ ]+ .*-j ($ours)( |$)" || true; } |
      { grep -vE "^-A ($ours) " || true; } | sed 's/^-A/-D/' | while read -r rule; do
        eval "iptables -t $table $rule" 2>/dev/null || true
      done
    # Then our chains: flushed first (they jump into each other), then deleted.
    for chain in $(iptables-save -t "$table" 2>/dev/null | sed -n -E "s/^:($ours) .*/\1/p"); do
      iptables -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $(iptables-save -t "$table" 2>/dev/null | sed -n -E "s/^:($ours) .*/\1/p"); do
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}

remove_cgroups() {
  local dir
  for dir in $(find /sys/fs/cgroup -depth -type d \( -path '*/kubepods*' -o -name docker -o -path '*/docker/*' -o -name buildkit -o -path '*/buildkit/*' \) 2>/dev/null); do
    rmdir "$dir" 2>/dev/null || true
  done
}

restore_sysctls() {
  [ -f "$state_dir/sysctl.saved" ] || return 0
  local line key value
  while IFS= read -r line; do
    key=${line%%=*}
    value=${line#*=}
    echo "$value" >"/proc/sys/${key//.//}"
  done <"$state_dir/sysctl.saved"
  rm -f "$state_dir/sysctl.saved"
}

cmd_down() {
  local purge=${1:-}
  run_steps_down
  rm -rf "$run_dir"
  if [ "$purge" = --purge ]; then
    rm -rf "$state_dir"
    rm -f "$repo_root/infra/platform/Pulumi.${PLATFORM_STACK:-local}.yaml"
    log "stopped; state deleted"
  else
    log "stopped; state kept in $state_dir (down --purge deletes it)"
  fi
}
