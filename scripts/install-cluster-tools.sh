#!/usr/bin/env bash
# Installs what the real Pulumi engine and the local single-node Kubernetes cluster need (`pnpm cluster up`, the
# cluster tests):
#
#   - from Debian: containerd, runc, the CNI plugins, dockerd, etcd, mmdebstrap, iptables, ipset, conntrack,
#     PostgreSQL (FerretDB's storage), Chromium (the dashboard test's browser)
#   - built from Go modules through the wrapper modules under tools/ (pinned by go.sum): the Pulumi CLI, its
#     Node.js language host, the Kubernetes provider plugin, the Kubernetes control plane, kubelet, kube-proxy and
#     kubectl, CoreDNS, metrics-server, VictoriaMetrics and vmalert (the metrics store and its alert rules),
#     prometheus-adapter (the request rate for the HPAs), kube-state-metrics, kube-router (NetworkPolicy
#     enforcement) and Traefik (the Gateway API)
#
# Binaries land in $PLATFORM_TOOLS_DIR/cluster/<name>-<stamp> (stamp: a hash of the wrapper's inputs) and are
# linked into $PLATFORM_TOOLS_DIR/bin; a binary whose stamp is cached is never rebuilt. The Go build cache those
# builds leave behind (several GB) is deleted afterwards unless KEEP_GO_BUILD_CACHE=1.
#
#   scripts/install-cluster-tools.sh            # everything
#   scripts/install-cluster-tools.sh pulumi     # only the named tools (pulumi, kubernetes, coredns, ...)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools_dir=${PLATFORM_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gke-platform}
bin_dir="$tools_dir/bin"
cache_dir="$tools_dir/cluster"
mkdir -p "$bin_dir" "$cache_dir"

log() { printf '[install-cluster-tools] %s\n' "$*" >&2; }

# The Go toolchain's usual home, when a login shell has not put it on PATH.
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
  export PATH="$PATH:/usr/local/go/bin"
fi
die() {
  log "$*"
  exit 1
}

# The versions each wrapper module pins, for the -X version flags (upstream's release tooling sets them).
mod_version() { sed -n "s#^\(require \)\{0,1\}[[:space:]]*$1 \(v[^ ]*\).*#\2#p" "$2" | head -1; }

# stamp_of EXTRA FILE...: a short hash of the files and one extra string (the build flags).
stamp_of() {
  local extra=$1
  shift
  { cat "$@"; printf '%s\n' "$extra"; } | sha256sum | cut -c1-12
}

install_system_packages() {
  local need=() pkg
  for pkg in containerd runc containernetworking-plugins docker.io etcd-server mmdebstrap iptables ipset conntrack postgresql chromium; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' && continue
    # A GitHub-hosted runner has Docker's own packages (moby-*); installing docker.io beside them would conflict.
    case $pkg in
      containerd | runc) command -v "$pkg" >/dev/null && continue ;;
      docker.io) command -v dockerd >/dev/null && continue ;;
      # The cluster tests open the dashboard in a headless browser; a GitHub-hosted runner has Google Chrome (its
      # Ubuntu's chromium package is only a snap's stub).
      chromium) { command -v chromium || command -v google-chrome; } >/dev/null && continue ;;
    esac
    need+=("$pkg")
  done
  [ ${#need[@]} -eq 0 ] && return
  [ "$(id -u)" -eq 0 ] || die "installing ${need[*]} needs root (the local cluster runs as root): sudo $0"
  log "installing ${need[*]} with apt-get"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
  # The packages start system services; the local cluster runs its own instances with their own state.
  if command -v systemctl >/dev/null; then
    systemctl disable --now containerd docker docker.socket etcd postgresql >/dev/null 2>&1 || true
  fi
}

# build_go NAME WRAPPER PACKAGE [LDFLAGS [PREBUILD]]: go build PACKAGE inside tools/WRAPPER into the cache, link it
# as NAME. PREBUILD (a command) runs in tools/WRAPPER first, only when the binary is not cached.
build_go() {
  local name=$1 wrapper=$2 pkg=$3 ldflags=${4:-} prebuild=${5:-}
  local dir="$repo_root/tools/$wrapper"
  local stamp
  # go.mod, go.sum (absent for a module without dependencies) and the module's own Go files.
  # shellcheck disable=SC2046 # file names under tools/ have no spaces
  stamp=$(stamp_of "$ldflags" $(find "$dir" -maxdepth 1 -name 'go.*' | sort) $(find "$dir" -name '*.go' | sort))
  local bin="$cache_dir/$name-$stamp"
  if [ ! -x "$bin" ]; then
    command -v go >/dev/null || die "Go is needed to build $name (apt-get install golang, or the Go toolchain)"
    log "building $name from tools/$wrapper"
    local started=$SECONDS
    if [ -n "$prebuild" ]; then (cd "$dir" && $prebuild) >&2; fi
    (cd "$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $ldflags" -o "$bin.tmp" "$pkg") >&2
    mv "$bin.tmp" "$bin"
    log "built $name in $((SECONDS - started)) s ($(du -m "$bin" | cut -f1) MB)"
  fi
  ln -sf "$bin" "$bin_dir/$name"
}

build_pulumi() {
  local v
  v=$(mod_version github.com/pulumi/pulumi/pkg/v3 "$repo_root/tools/pulumi/go.mod")
  build_go pulumi pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$v"
  v=$(mod_version github.com/pulumi/pulumi/sdk/v3 "$repo_root/tools/pulumi-language-nodejs/go.mod")
  build_go pulumi-language-nodejs pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$v"
  # The engine finds the language host on PATH (a "bundled" plugin, which `pulumi plugin install` refuses).
}

# install_plugin KIND NAME VERSION BINARY: puts a built plugin into the plugin cache of the tools cache's
# PULUMI_HOME, where the engine looks besides PATH (it never downloads: PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).
install_plugin() {
  local kind=$1 name=$2 version=$3 built
  built=$(readlink "$bin_dir/$4")
  export PULUMI_HOME="$tools_dir/pulumi-home"
  local marker="$PULUMI_HOME/plugins/$kind-$name-v$version.from"
  if [ "$(cat "$marker" 2>/dev/null)" != "$built" ]; then
    [ -x "$bin_dir/pulumi" ] || die "install the Pulumi CLI first: $0 pulumi"
    PULUMI_SKIP_UPDATE_CHECK=true "$bin_dir/pulumi" plugin install "$kind" "$name" "$version" --file "$built" --reinstall >&2
    echo "$built" >"$marker"
  fi
}

build_pulumi_kubernetes() {
  local dir="$repo_root/tools/pulumi-kubernetes"
  local v
  v=$(mod_version github.com/pulumi/pulumi-kubernetes/sdk/v4 "$dir/go.mod")
  v=${v#v}
  # Plugins are installed by the CLI, so it comes first (a no-op when it is cached).
  build_pulumi
  # The schema and mapping the provider embeds are generated from the module's sources (gen/), which gen downloads
  # itself: on a fresh machine nothing else has put them in the module cache yet.
  build_go pulumi-resource-kubernetes pulumi-kubernetes . \
    "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$v" "go run ./gen $v ."
  install_plugin resource kubernetes "$v" pulumi-resource-kubernetes
}

build_kubernetes() {
  local v flags="" pkg name
  v=$(mod_version k8s.io/kubernetes "$repo_root/tools/kubernetes/go.mod")
  local minor=${v#v1.}
  minor=${minor%%.*}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  for name in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    build_go "$name" kubernetes "k8s.io/kubernetes/cmd/$name" "$flags"
  done
}

build_coredns() { build_go coredns coredns github.com/coredns/coredns; }
build_pause() { build_go pause pause .; }
build_crictl() { build_go crictl cri-tools sigs.k8s.io/cri-tools/cmd/crictl; }

build_traefik() {
  local v
  v=$(mod_version github.com/traefik/traefik/v3 "$repo_root/tools/traefik/go.mod")
  build_go traefik traefik github.com/traefik/traefik/v3/cmd/traefik "-X github.com/traefik/traefik/v3/pkg/version.Version=$v"
  # The Gateway API CRDs of the version Traefik is built against, beyond the four in ../shared/crds (GRPCRoute,
  # BackendTLSPolicy): Traefik watches them and waits for them at start-up.
  local gw
  gw=$(mod_version sigs.k8s.io/gateway-api "$repo_root/tools/traefik/go.mod")
  local crds="$cache_dir/gateway-api-crds-$gw"
  if [ ! -d "$crds" ]; then
    local dir
    dir=$(cd "$repo_root/tools/traefik" && go mod download -json "sigs.k8s.io/gateway-api@$gw" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    mkdir -p "$crds.tmp"
    cp "$dir"/config/crd/standard/gateway.networking.k8s.io_{grpcroutes,backendtlspolicies}.yaml "$crds.tmp/"
    mv "$crds.tmp" "$crds"
  fi
  ln -sfn "$crds" "$cache_dir/gateway-api-crds"
}

build_kube_router() {
  local v
  v=$(mod_version github.com/cloudnativelabs/kube-router/v2 "$repo_root/tools/kube-router/go.mod")
  build_go kube-router kube-router github.com/cloudnativelabs/kube-router/v2/cmd/kube-router \
    "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$v"
}
build_metrics_server() { build_go metrics-server metrics-server sigs.k8s.io/metrics-server/cmd/metrics-server; }

build_victoriametrics() {
  local v pkg=github.com/VictoriaMetrics/VictoriaMetrics
  v=$(mod_version $pkg "$repo_root/tools/victoriametrics/go.mod")
  # upstream's release tooling stamps the version the same way (its /metrics and -version show it).
  build_go victoria-metrics victoriametrics $pkg/app/victoria-metrics "-X $pkg/lib/buildinfo.Version=victoria-metrics-$v"
  build_go vmalert victoriametrics $pkg/app/vmalert "-X $pkg/lib/buildinfo.Version=vmalert-$v"
}
build_kube_state_metrics() {
  local v pkg=k8s.io/kube-state-metrics/v2
  v=$(mod_version $pkg "$repo_root/tools/kube-state-metrics/go.mod")
  build_go kube-state-metrics kube-state-metrics $pkg "-X github.com/prometheus/common/version.Version=${v#v}"
}
build_prometheus_adapter() { build_go prometheus-adapter prometheus-adapter sigs.k8s.io/prometheus-adapter/cmd/adapter; }

all="system pulumi pulumi-kubernetes kubernetes pause coredns metrics-server victoriametrics prometheus-adapter kube-state-metrics traefik kube-router crictl"
targets=${*:-$all}
for target in $targets; do
  case $target in
    system) install_system_packages ;;
    pulumi) build_pulumi ;;
    pulumi-kubernetes) build_pulumi_kubernetes ;;
    kubernetes) build_kubernetes ;;
    coredns) build_coredns ;;
    metrics-server) build_metrics_server ;;
    victoriametrics) build_victoriametrics ;;
    prometheus-adapter) build_prometheus_adapter ;;
    kube-state-metrics) build_kube_state_metrics ;;
    pause) build_pause ;;
    crictl) build_crictl ;;
    traefik) build_traefik ;;
    kube-router) build_kube_router ;;
    *) die "unknown tool '$target' (one of: $all)" ;;
  esac
done

if [ "${KEEP_GO_BUILD_CACHE:-0}" != 1 ] && [ -z "$*" ] && command -v go >/dev/null; then
  go clean -cache 2>/dev/null || true
fi
log "cluster tools ready in $bin_dir"
