#!/usr/bin/env bash
# Runs install steps the way a fresh machine does: with an empty tools dir, Go module cache, Go build cache, pnpm
# store, npm cache and pip cache, all in one temporary folder that is removed afterwards. A warm machine's caches
# hide a missing install step (a module nobody downloads, a package nobody installs); this does not.
#
#   scripts/check-cold.sh                      # every install step: bootstrap.sh --cluster (toolchains, tools,
#                                              # the cluster's parts, pnpm install)
#   scripts/check-cold.sh pulumi-kubernetes    # only the named steps: any tool of install-cluster-tools.sh, or
#                                              # `base` (Node, pnpm, FerretDB, install-tools.sh, pnpm install)
#   scripts/check-cold.sh --ci                 # a fresh clone of HEAD runs its whole .ci/run on empty caches
#
# Debian packages are the machine's: they are installed once and not removed. Set KEEP_COLD=1 to keep the folder
# (its path is printed) to look at what a step left. Prints each step's time and the caches' sizes at the end.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { printf '[check-cold] %s\n' "$*" >&2; }

cold=$(mktemp -d "${TMPDIR:-/tmp}/check-cold.XXXXXX")
cleanup() {
  if [ "${KEEP_COLD:-0}" = 1 ]; then
    log "kept $cold"
    return
  fi
  # The Go module cache is written read-only; make it removable first.
  chmod -R u+w "$cold" 2>/dev/null || true
  rm -rf "$cold"
}
trap cleanup EXIT
# An interrupted check removes its folder too (bash runs the EXIT trap on a signal only when the signal is trapped).
trap 'exit 130' INT TERM

export PLATFORM_TOOLS_DIR="$cold/tools"
export GOMODCACHE="$cold/gomod"
export GOCACHE="$cold/gocache"
export npm_config_store_dir="$cold/pnpm-store"
export npm_config_cache="$cold/npm"
export PIP_CACHE_DIR="$cold/pip"
export KEEP_GO_BUILD_CACHE=1 # measured below, then removed with the folder
export TURBO_TELEMETRY_DISABLED=1

# A copy of the checkout as it is (tracked and untracked files, uncommitted changes included, nothing git ignores):
# steps that run `pnpm install` must not relink this checkout's node_modules to a store that is deleted after.
copy_checkout() {
  mkdir -p "$cold/repo"
  (cd "$repo_root" && git ls-files -z --cached --others --exclude-standard |
    tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$cold/repo"
  [ -d "$repo_root/../shared" ] && cp -r "$repo_root/../shared" "$cold/shared"
  echo "$cold/repo"
}

declare -a report=()
# run_step NAME COMMAND...: runs and times one step; the first failure ends the check with its status.
run_step() {
  local name=$1 started=$SECONDS status=0
  shift
  log "step $name: $*"
  "$@" || status=$?
  report+=("$(printf '%-24s %6d s  exit %d' "$name" $((SECONDS - started)) "$status")")
  if [ "$status" -ne 0 ]; then
    summary
    exit "$status"
  fi
}

summary() {
  log "summary (empty caches in $cold):"
  printf '  %s\n' "${report[@]}" >&2
  local dir
  for dir in tools gomod gocache pnpm-store; do
    [ -d "$cold/$dir" ] && log "  size of $dir: $(du -sh "$cold/$dir" 2>/dev/null | cut -f1)"
  done
  return 0
}

case "${1:-}" in
  --ci)
    git clone --quiet "$repo_root" "$cold/repo"
    # CI lays shared/ beside the clone, as it is beside this checkout.
    [ -d "$repo_root/../shared" ] && cp -r "$repo_root/../shared" "$cold/shared"
    run_step ci-run env CI=true bash "$cold/repo/.ci/run"
    ;;
  "")
    copy=$(copy_checkout)
    run_step bootstrap-cluster "$copy/scripts/bootstrap.sh" --cluster true
    ;;
  *)
    for step in "$@"; do
      if [ "$step" = base ]; then
        copy=$(copy_checkout)
        run_step base "$copy/scripts/bootstrap.sh" true
      else
        # The cluster tools need Node/pnpm for nothing, but Go is found the same way bootstrap finds it.
        run_step "$step" "$repo_root/scripts/install-cluster-tools.sh" "$step"
      fi
    done
    ;;
esac
summary
