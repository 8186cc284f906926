# One image recipe for every app in apps/:
#
#   docker build --platform linux/amd64 --build-arg APP=app-a --tag app-a .
#
# The context is the repository root because `turbo prune` needs every workspace manifest. Each step below is
# mirrored, command for command, by tests/delivery/recipe.sh, which the delivery tests run outside a container and
# then start the result against a real database (tests/delivery/test/recipe-mirror.test.ts keeps the two in step).
#
# Base images are build arguments whose defaults are the production images, pinned by digest (refreshed by
# .github/scripts/pin-base-images.sh or Renovate, .github/renovate.json; see docs/delivery.md "Base images").
# The local cluster (`pnpm cluster up`) passes an image it builds itself from Debian packages and Node 24, since
# no registry can be reached there; it has node at /nodejs/bin/node like the distroless image.
ARG BUILD_IMAGE=node:24.21.0-bookworm-slim@sha256:d6aa754f16b3197301076f047b5def2f02ea1dbbc2ca920407d46d7ec7f87b20
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot@sha256:14d42e2511532589a7c7e01a753667a74fcc96266e137e8125006b87b0c32d0a

# --- tools: the exact pnpm and turbo versions the repository pins (package.json packageManager, catalog turbo)
FROM ${BUILD_IMAGE} AS tools
ARG PNPM_VERSION=10.34.9
ARG TURBO_VERSION=2.11.11
ENV TURBO_TELEMETRY_DISABLED=1 \
    npm_config_update_notifier=false \
    npm_config_store_dir=/pnpm/store
RUN npm install --global --no-fund --no-audit "pnpm@${PNPM_VERSION}" "turbo@${TURBO_VERSION}"

# --- prune: only the app, the workspace packages it depends on, and a lockfile cut down to them
FROM tools AS prune
ARG APP
ENV APP=${APP} PRUNE_DIR=/prune
WORKDIR /src
COPY . .
RUN turbo prune "$APP" --docker --out-dir "$PRUNE_DIR"

# --- build: dependencies first (this layer is reused until a manifest or the lockfile changes), then sources
FROM tools AS build
ARG APP
ENV APP=${APP} DEPLOY_DIR=/deploy
WORKDIR /build
COPY --from=prune /prune/json/ ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --frozen-lockfile
COPY --from=prune /prune/full/ ./
# turbo prune copies workspace packages only; the shared compiler settings live at the root.
COPY tsconfig.base.json ./
RUN pnpm exec turbo run build --filter="$APP"
# pnpm 10 deploys from the lockfile only with injected workspace packages; this copies @platform/shared's dist
# into the app's node_modules instead of symlinking to a workspace folder the final stage does not have.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm --filter="$APP" --config.inject-workspace-packages=true deploy --prod "$DEPLOY_DIR"

# --- runtime: Node and the app's production files only; no shell, no package manager
FROM ${RUNTIME_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Files stay owned by root so the app user cannot modify its own code (the pod also mounts / read-only).
COPY --from=build /deploy/package.json ./
COPY --from=build /deploy/node_modules ./node_modules
COPY --from=build /deploy/dist ./dist
# Numeric uid so Kubernetes runAsNonRoot can verify it without reading /etc/passwd.
USER 65532:65532
# Ports come from PORT / METRICS_PORT (see the app's env.ts and the Deployment), so nothing is EXPOSEd here.
# Exec form: node is PID 1 and receives SIGTERM itself; the app installs the handler that drains and exits 0.
# --max-semi-space-size: V8 otherwise sizes the young generation from the memory node sees (the host's RAM, or the
# pod's cgroup limit): 64 MiB semi-spaces on the 24 GB bench machine, about 1 MiB in a 768Mi pod. Measured
# (docs/benchmarks.md, read path): 8 MiB brought app-a's peak RSS under the bench from 334 to 183-215 MiB, but its
# young generation then promoted enough garbage to keep concurrent marking busy; 16 MiB reads for 0.92-0.97 of the
# CPU of 8 MiB for at most 16 MiB more young generation. bench/ runs the apps with these same flags, read from here.
ENTRYPOINT ["/nodejs/bin/node", "--enable-source-maps", "--max-semi-space-size=16", "dist/main.js"]
