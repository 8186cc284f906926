# shellcheck shell=bash
# The local cluster as one table of steps, in the manner of kind's create actions: `up` runs each step's up in
# order (every up is idempotent, so a second `up` resumes an interrupted one); `down` walks the table backwards,
# stops each step's processes (SIGTERM, then SIGKILL after 15 s, whole session) and then runs its down, which
# removes what the step left in the host. `pnpm cluster steps` prints the table.
#
# Columns: step | up | processes (pid files in the run dir) | down (- when stopping the processes is all) |
# the host state the step changes, which `down` puts back unless it says "kept".

cluster_steps() {
  cat <<'TABLE'
pki            | ensure_pki           | -                                        | -                  | files: CA, certificates and kubeconfigs in the state dir (kept; down --purge deletes them)
network        | ensure_network       | -                                        | remove_network     | bridge gkep0 (10.244.0.1/24); sysctls net.ipv4.ip_forward and net.bridge.bridge-nf-call-iptables (values saved, put back); CNI-* iptables chains and the pods' network namespaces
etcd           | start_etcd           | etcd                                     | -                  | listens on 10.244.0.1:2479-2480; data in the state dir (kept)
apiserver      | start_apiserver      | kube-apiserver                           | -                  | listens on 10.244.0.1:6443
controllers    | start_controllers    | kube-controller-manager kube-scheduler   | -                  | listen on 127.0.0.1 (health)
containerd     | start_containerd     | containerd                               | remove_containerd  | shims of its containers and their cgroups; mounts under the state and run dirs; its state in the run dir
dockerd        | start_dockerd        | dockerd                                  | -                  | image builds only, in containerd (no bridge, no iptables); build cache in the state dir (kept)
pause          | import_pause_image   | -                                        | -                  | an image in containerd (kept)
kubelet        | start_kubelet        | kubelet                                  | remove_node_pods   | its own mount namespace; a shared bind mount of its root dir; the pods, their containers and network namespaces
kube-proxy     | start_kube_proxy     | kube-proxy                               | remove_kube_proxy  | KUBE-* iptables chains of Services
crds           | install_crds         | -                                        | -                  | objects in the cluster (kept with etcd's data)
dns            | start_dns            | -                                        | -                  | a CoreDNS Deployment in the cluster (kept with etcd's data)
traefik        | start_traefik        | traefik                                  | -                  | listens on 127.0.0.1:30080 and 30443 (the Gateway), 30900 (ping)
metrics-server | start_metrics_server | metrics-server                           | -                  | listens on 10.244.0.1:4443
kube-router    | start_kube_router    | kube-router                              | remove_kube_router | KUBE-ROUTER-*, KUBE-NWPLCY-*, KUBE-POD-FW-* iptables chains and kube-router ipsets (NetworkPolicies)
postgres       | start_postgres       | postgres                                 | -                  | listens on a socket in the run dir; data in the state dir (kept)
ferretdb       | start_ferretdb       | ferretdb                                 | -                  | listens on 10.244.0.1:27017
addons         | wait_for_addons      | -                                        | -                  | none (waits until DNS, metrics and the Gateway answer)
images         | build_images         | -                                        | -                  | the catalogue's app images and the metrics stack's images in containerd and dockerd (kept)
platform       | deploy_platform_stack | -                                       | -                  | Pulumi state in the state dir and infra/platform/Pulumi.local.yaml (kept; down --purge deletes both)
TABLE
}

# steps_rows: the table as tab-separated fields, blanks trimmed.
steps_rows() {
  cluster_steps | sed -E 's/[[:space:]]*\|[[:space:]]*/\t/g; s/[[:space:]]+$//'
}

# The processes of every step, in the order they start (`pnpm cluster status`).
step_processes() {
  local name up procs rest
  while IFS=$'\t' read -r name up procs rest; do
    [ "$procs" = - ] || echo "$procs"
  done < <(steps_rows) | tr ' ' '\n'
}

# The rows are read before any step runs: a step's commands must not read the table as their standard input.
run_steps_up() {
  local rows row name up rest
  mapfile -t rows < <(steps_rows)
  for row in "${rows[@]}"; do
    IFS=$'\t' read -r name up rest <<<"$row"
    "$up"
  done
}

run_steps_down() {
  local rows row name up procs down rest proc
  mapfile -t rows < <(steps_rows | tac)
  for row in "${rows[@]}"; do
    IFS=$'\t' read -r name up procs down rest <<<"$row"
    if [ "$procs" != - ]; then
      for proc in $procs; do stop_daemon "$proc"; done
    fi
    [ "$down" = - ] || "$down"
  done
}

print_steps() {
  local name up procs down state
  printf '%-15s %-22s %-40s %-19s %s\n' STEP UP PROCESSES DOWN "HOST STATE"
  while IFS=$'\t' read -r name up procs down state; do
    printf '%-15s %-22s %-40s %-19s %s\n' "$name" "$up" "$procs" "$down" "$state"
  done < <(steps_rows)
}
