#!/usr/bin/env bash
# Installs the tools the test suite runs besides Node: nginx (local HTTPS ingress), openssl, and the linters and
# validators (hadolint, shellcheck, actionlint, checkov, kubernetes-validate, schemathesis).
#
# Everything but nginx goes into $PLATFORM_TOOLS_DIR (default ~/.cache/gke-platform), pinned by
# tools/python/requirements.txt and tools/actionlint/go.sum, and is linked into $PLATFORM_TOOLS_DIR/bin.
# Re-running is cheap: each step is skipped when its pinned input has not changed.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools_dir=${PLATFORM_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gke-platform}
bin_dir="$tools_dir/bin"
mkdir -p "$bin_dir"

log() { printf '[install-tools] %s\n' "$*" >&2; }
stamp_of() { sha256sum "$1" | cut -c1-12; }

install_system_packages() {
  local missing=()
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v python3 >/dev/null || missing+=(python3 python3-venv)
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]} with apt-get"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  # The package starts a system nginx on port 80; the project runs its own instances, so stop that one.
  if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
    $sudo systemctl disable --now nginx >/dev/null 2>&1 || true
  elif [ -f /run/nginx.pid ]; then
    $sudo /usr/sbin/nginx -s quit 2>/dev/null || true
  fi
}

install_python_tools() {
  local req="$repo_root/tools/python/requirements.txt"
  local venv
  venv="$tools_dir/venv-$(stamp_of "$req")"
  if [ ! -x "$venv/bin/checkov" ]; then
    log "installing Python tools from tools/python/requirements.txt"
    local started=$SECONDS
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
    log "installed the Python tools in $((SECONDS - started)) s"
  fi
  local tool
  for tool in checkov hadolint kubernetes-validate schemathesis shellcheck st; do
    [ -x "$venv/bin/$tool" ] && ln -sf "$venv/bin/$tool" "$bin_dir/$tool"
  done
}

install_go_tool() {
  local name=$1 pkg=$2
  local dir="$repo_root/tools/$name"
  local bin
  bin="$bin_dir/$name-$(stamp_of "$dir/go.sum")"
  if [ ! -x "$bin" ]; then
    command -v go >/dev/null || { log "Go is needed to build $name"; exit 1; }
    log "building $name from tools/$name"
    local started=$SECONDS
    (cd "$dir" && go build -trimpath -o "$bin.tmp" "$pkg") >&2
    mv "$bin.tmp" "$bin"
    log "built $name in $((SECONDS - started)) s"
  fi
  ln -sf "$bin" "$bin_dir/$name"
}

install_system_packages
install_python_tools
install_go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint
log "tools ready in $bin_dir"
