#!/usr/bin/env bash
# The Dockerfile's image recipe, run outside a container (there is no container engine on the development
# machines). Usage:
#
#   tests/delivery/recipe.sh <app> <empty work dir>
#
# leaves the image's /app in <work dir>/image: start it with `node --enable-source-maps dist/main.js`.
#
# Every line that stands for a Dockerfile instruction ends with `#> <instruction>`; recipe-mirror.test.ts checks
# that those instructions appear in the Dockerfile in this order and that each `#> RUN` command is the Dockerfile's
# RUN command character for character. Change both files together.
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 <app> <work dir>" >&2
  exit 2
fi
APP=$1
work=$(mkdir -p "$2" && cd "$2" && pwd)
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PRUNE_DIR=$work/prune
BUILD_DIR=$work/build
DEPLOY_DIR=$work/deploy
IMAGE_DIR=$work/image
export TURBO_TELEMETRY_DISABLED=1

# The Dockerfile's `tools` stage installs these exact versions; here they must already be on PATH.
want_pnpm=$(sed -n 's/.*"packageManager": *"pnpm@\([0-9.]*\)".*/\1/p' "$REPO_ROOT/package.json")
[ "$(pnpm --version)" = "$want_pnpm" ] || { echo "recipe: pnpm $want_pnpm required, found $(pnpm --version)" >&2; exit 1; }
command -v turbo >/dev/null || { echo "recipe: turbo not on PATH (run from the workspace: pnpm exec)" >&2; exit 1; }

step() { printf '[recipe %s] %s\n' "$APP" "$*" >&2; }

step "prune"
cd "$REPO_ROOT" #> WORKDIR /src
: "the build context is this checkout, read in place" #> COPY . .
turbo prune "$APP" --docker --out-dir "$PRUNE_DIR" #> RUN

step "install dependencies from the pruned lockfile"
mkdir -p "$BUILD_DIR"
cd "$BUILD_DIR" #> WORKDIR /build
cp -R "$PRUNE_DIR/json/." ./ #> COPY --from=prune /prune/json/ ./
pnpm install --frozen-lockfile #> RUN

step "build"
cp -R "$PRUNE_DIR/full/." ./ #> COPY --from=prune /prune/full/ ./
cp "$REPO_ROOT/tsconfig.base.json" ./ #> COPY tsconfig.base.json ./
pnpm exec turbo run build --filter="$APP" #> RUN

step "deploy production dependencies"
pnpm --filter="$APP" --config.inject-workspace-packages=true deploy --prod "$DEPLOY_DIR" #> RUN

step "assemble the runtime image's /app"
mkdir -p "$IMAGE_DIR"
cd "$IMAGE_DIR" #> WORKDIR /app
cp "$DEPLOY_DIR/package.json" ./ #> COPY --from=build /deploy/package.json ./
cp -R "$DEPLOY_DIR/node_modules" ./node_modules #> COPY --from=build /deploy/node_modules ./node_modules
cp -R "$DEPLOY_DIR/dist" ./dist #> COPY --from=build /deploy/dist ./dist
step "done: $IMAGE_DIR"
