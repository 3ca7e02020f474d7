# syntax=docker/dockerfile:1.7
#
# One image for every btc-research service. The service is chosen by the compose `command`,
# e.g. `node --import tsx services/api-server/src/main.ts`. TypeScript runs from source through tsx, so
# there is no compile step and the image carries the sources plus an installed node_modules.
#
#   docker build -t btc-research:local .                 # runtime image (default target)
#   docker build --target dev -t btc-research:dev .      # + toolchain, for bind-mounted sources
#
# Stages:
#   base    node 20 on Debian bookworm slim with corepack (pnpm pinned by package.json)
#   build   native toolchain + `pnpm install --frozen-lockfile` (talib is a native addon)
#   dev     build output, used by docker-compose.dev.yml with bind-mounted sources
#   runtime slim image without the toolchain, non-root `node` user, HEALTHCHECK hook

ARG NODE_VERSION=20

############################ base ############################
FROM node:${NODE_VERSION}-bookworm-slim AS base
# pnpm's store defaults to $PNPM_HOME/store, which the build stage keeps in a BuildKit cache.
ENV PNPM_HOME=/pnpm \
    COREPACK_HOME=/corepack \
    COREPACK_ENABLE_DOWNLOAD_PROMPT=0
ENV PATH=/app/node_modules/.bin:${PNPM_HOME}:${PATH}
# corepack reads "packageManager" (pnpm@10.34.9+sha512...) and verifies the hash.
RUN corepack enable
WORKDIR /app

############################ build ############################
FROM base AS build
ENV CI=true \
    npm_config_nodedir=/usr/local
# node-gyp needs python3, make and a C++ compiler for native addons (talib); the node image
# ships its headers under /usr/local/include/node, so npm_config_nodedir avoids a download.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Resolve pnpm once at build time so nothing is downloaded when a container starts.
COPY package.json ./
RUN corepack install
# 1) Fetch every package in the lockfile into the store: depends only on the lockfile, so this
#    layer is reused until dependencies change (the workspace package list does not matter).
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm fetch --frozen-lockfile
# 2) Copy the workspace and link it offline from the store.
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --offline \
 && mkdir -p /app/data /app/config \
 && chown node:node /app/data

############################ dev ############################
# Used by docker-compose.dev.yml: sources are bind-mounted over /app/packages and
# /app/services and run with `tsx watch`. Keeps the toolchain so `pnpm install` works inside.
FROM build AS dev
ENV NODE_ENV=development \
    CONFIG_DIR=/app/config \
    DATA_DIR=/app/data
USER node
ENTRYPOINT ["/bin/sh", "-c", "export WORKER_NAME=\"${WORKER_NAME:-${HOSTNAME:-$(cat /proc/sys/kernel/hostname)}}\"; exec \"$@\"", "entrypoint"]

############################ runtime ############################
FROM base AS runtime
ENV NODE_ENV=production \
    CONFIG_DIR=/app/config \
    DATA_DIR=/app/data
# The installed workspace (node_modules are pnpm symlinks into /app/node_modules/.pnpm, so the
# tree is copied as a whole). Services run from TypeScript sources via tsx, which is a root
# devDependency, hence the full install rather than `--prod`. Code stays owned by root and is
# read-only for the service user; only /app/data (and /tmp, tsx's cache) is writable.
COPY --from=build /app /app
RUN chown node:node /app/data
# Non-root user shipped by the node image (uid/gid 1000). A bind-mounted ./data must be
# writable by uid 1000 (see docs/deployment.md).
USER node
# Health: with HEALTHCHECK_URL set (e.g. http://127.0.0.1:8000/healthz for the api-server) the
# check fetches it; unset, it only proves that node starts. The compose files define their own
# checks per service. node's built-in fetch is used: the slim image has neither curl nor wget.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const u=process.env.HEALTHCHECK_URL;if(!u)process.exit(0);fetch(u,{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
EXPOSE 8000 5000
# Replicas must be distinct consumers in the Redis consumer groups: WORKER_NAME (read by the
# paper-trader) defaults to the container hostname ($HOSTNAME, set by Docker: the container id),
# unique per replica and stable across restarts of the same container, which then reclaims its
# own pending entries.
ENTRYPOINT ["/bin/sh", "-c", "export WORKER_NAME=\"${WORKER_NAME:-${HOSTNAME:-$(cat /proc/sys/kernel/hostname)}}\"; exec \"$@\"", "entrypoint"]
# No default service: compose picks one, e.g. ["node", "--import", "tsx", "services/paper-trader/src/main.ts"].
CMD ["node", "-e", "console.error('btc-research: choose a service, e.g. docker run IMAGE node --import tsx services/api-server/src/main.ts');process.exit(64)"]
