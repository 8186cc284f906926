# shellcheck shell=bash
# What the cluster runs besides Kubernetes itself: the CRDs the platform layer uses, CoreDNS, metrics-server,
# kube-router (NetworkPolicies), Traefik (Gateway API) and FerretDB (the external MongoDB of the local stack).

crds_dir=${PLATFORM_CRDS_DIR:-$repo_root/../shared/crds}

install_crds() {
  [ -d "$crds_dir" ] || die "the CRDs are missing: expected $crds_dir (set PLATFORM_CRDS_DIR)"
  local extra="$tools_dir/cluster/gateway-api-crds"
  [ -d "$extra" ] || die "the Gateway API CRDs for Traefik are missing: run scripts/install-cluster-tools.sh traefik"
  local files=() file
  for file in "$crds_dir"/*.yaml "$extra"/*.yaml; do
    grep -q '^kind: CustomResourceDefinition' "$file" && files+=(-f "$file")
  done
  kubectl_admin apply --server-side --force-conflicts "${files[@]}" >/dev/null
  kubectl_admin wait --for condition=established --timeout=60s crd --all >/dev/null
}

apply_system() {
  local coredns_image=$1 ca
  ca=$(base64 -w0 <"$pki/ca.crt")
  sed -e "s|__COREDNS_IMAGE__|$coredns_image|" -e "s|__DNS_SERVICE_IP__|$dns_service_ip|" \
    -e "s|__NODE_IP__|$node_ip|" -e "s|__CA_BUNDLE__|$ca|" "$repo_root/scripts/cluster/manifests/system.yaml" |
    kubectl_admin apply --server-side --force-conflicts -f - >/dev/null
}

# Step dns: CoreDNS (and the system objects of manifests/system.yaml) from the binary of the tools cache.
start_dns() { apply_system "$(scratch_image coredns coredns)"; }

start_traefik() {
  is_running traefik && return 0 # its file provider watches the file written below
  # A request whose connection to the chosen pod fails before anything was sent (a pod that just died, whose
  # endpoint is not yet withdrawn) is sent to another endpoint, as Google's load balancers do; a request already
  # sent is never resent (it may not be idempotent). Traefik's retry middleware, from its file provider, on both
  # entry points: the platform layer's routes stay plain Gateway API.
  cat >"$state_dir/traefik-dynamic.yaml" <<'YAML'
http:
  middlewares:
    retry-unsent:
      retry:
        attempts: 3
        initialInterval: 50ms
YAML
  # KUBECONFIG selects Traefik's out-of-cluster client; entry points are the Gateway's listener ports.
  start_daemon traefik env KUBECONFIG="$state_dir/traefik.kubeconfig" traefik \
    --global.checknewversion=false --global.sendanonymoususage=false \
    --providers.file.filename="$state_dir/traefik-dynamic.yaml" \
    --entryPoints.web.address="127.0.0.1:$gateway_http_port" \
    --entryPoints.web.http.middlewares=retry-unsent@file \
    --entryPoints.websecure.address="127.0.0.1:$gateway_https_port" \
    --entryPoints.websecure.http.middlewares=retry-unsent@file \
    --providers.kubernetesgateway=true \
    --providers.kubernetesgateway.statusaddress.ip=127.0.0.1 \
    --ping=true --ping.entrypoint=traefik --entryPoints.traefik.address=127.0.0.1:30900 \
    --log.level=INFO --accesslog=false
  wait_for traefik 60 curl -fsS http://127.0.0.1:30900/ping
}

start_metrics_server() {
  start_daemon metrics-server metrics-server \
    --secure-port 4443 --bind-address "$node_ip" \
    --tls-cert-file "$pki/metrics-server.crt" --tls-private-key-file "$pki/metrics-server.key" \
    --kubeconfig "$state_dir/metrics-server.kubeconfig" \
    --authentication-kubeconfig "$state_dir/metrics-server.kubeconfig" \
    --authorization-kubeconfig "$state_dir/metrics-server.kubeconfig" \
    --kubelet-preferred-address-types InternalIP \
    --kubelet-certificate-authority "$pki/ca.crt" \
    --metric-resolution 15s
}

start_kube_router() {
  start_daemon kube-router kube-router --kubeconfig "$state_dir/kube-router.kubeconfig" \
    --hostname-override "$node_name" \
    --run-firewall=true --run-router=false --run-service-proxy=false \
    --enable-cni=false --enable-ipv6=false --metrics-port 0 --health-port 20244
}

# The newest PostgreSQL server of the Debian package (postgresql-15 on bookworm).
postgres_bin() {
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1)
  [ -n "$dir" ] && [ -x "$dir/postgres" ] && echo "$dir"
}

# FerretDB's storage: a private PostgreSQL instance, data in the cluster's state, reachable only on a Unix socket
# in the runtime directory. FerretDB's SQLite backend scans and JSON-parses every document for each query (its _id
# lookups do not match its own index expression), so a few hundred documents made it the bottleneck of every load
# test; the PostgreSQL backend looks documents up by index. PostgreSQL refuses to run as root, so it runs as
# nobody in a mount namespace of its own, where the data directory (under root's home, which nobody cannot
# traverse) is bound onto the runtime directory.
start_postgres() {
  is_running postgres && return 0
  local bin data="$state_dir/postgres" sock="$run_dir/postgres"
  bin=$(postgres_bin) || die "PostgreSQL is not installed: scripts/install-cluster-tools.sh system"
  mkdir -p "$data" "$sock" "$run_dir/postgres-data"
  chown 65534:65534 "$data" "$sock"
  chmod 700 "$data"
  local as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env)
  if [ ! -f "$data/PG_VERSION" ]; then
    unshare --mount --propagation private -- sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh \
      "$data" "$run_dir/postgres-data" "${as_nobody[@]}" "$bin/initdb" --pgdata "$run_dir/postgres-data" \
      --username ferretdb --auth trust --encoding UTF8 --locale C.UTF-8 >>"$log_dir/postgres.log" 2>&1 ||
      die "initdb failed; see $log_dir/postgres.log"
  fi
  start_daemon postgres unshare --mount --propagation private -- sh -c \
    'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh "$data" "$run_dir/postgres-data" \
    "${as_nobody[@]}" "$bin/postgres" -D "$run_dir/postgres-data" -k "$sock" -c listen_addresses= \
    -c max_connections=200
  wait_for postgres 30 "$bin/pg_isready" --quiet --host "$sock" --username ferretdb
  if ! "${as_nobody[@]}" "$bin/psql" --host "$sock" --username ferretdb --dbname postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'ferretdb'" | grep -qx 1; then
    "${as_nobody[@]}" "$bin/createdb" --host "$sock" --username ferretdb ferretdb
  fi
}

start_ferretdb() {
  mkdir -p "$state_dir/ferretdb"
  start_daemon ferretdb ferretdb --handler=pg --postgresql-url="postgres://ferretdb@/ferretdb?host=$run_dir/postgres" \
    --listen-addr="$node_ip:$ferretdb_port" --state-dir="$state_dir/ferretdb" \
    --debug-addr=127.0.0.1:0 --telemetry=disable --log-level=warn
  wait_for ferretdb 30 bash -c "echo >/dev/tcp/$node_ip/$ferretdb_port"
}

# The cluster is usable once DNS answers and the metrics API is served.
wait_for_addons() {
  wait_for "CoreDNS" 120 kubectl_admin -n kube-system rollout status deployment/coredns --timeout=5s
  wait_for "the metrics API" 120 kubectl_admin get --raw /apis/metrics.k8s.io/v1beta1/nodes
}
