# syntax=docker/dockerfile:1
# One image for every Parley service; docker-compose.yml / Kubernetes pick the process with `command`:
#   node dist/apps/gateway/src/main.js            (default)
#   node dist/apps/ai-worker/src/main.js
#   node dist/apps/agreement-worker/src/main.js
#   node dist/apps/cli/src/parley.js users add …  (operator CLI)
#   node dist/apps/cli/src/healthcheck.js gateway | worker <queue>
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, compile TypeScript and the browser client ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
# Everything else the build needs (.dockerignore keeps node_modules, dist, data, .git and .env out).
COPY . .
RUN npm run build \
 && test -f dist/apps/gateway/src/main.js \
 && test -f dist/apps/ai-worker/src/main.js \
 && test -f dist/apps/agreement-worker/src/main.js \
 && test -f dist/apps/cli/src/healthcheck.js \
 && test -d libs/negotiation/scenarios \
 && test -f apps/web/dist/index.html \
 || { echo "npm run build did not produce the gateway/worker mains, the healthcheck or apps/web/dist" >&2; exit 1; }

# ---- deps: production dependencies only, without TypeScript or type declarations ----
# (npm keeps TypeScript under --omit=dev: an optional peer of @bull-board/api's validator.
#  Measured with `npm ci --omit=dev` + the prune script: node_modules 120 MB before, 53 MB after.)
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY scripts/prune-production.sh ./scripts/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund \
 && sh scripts/prune-production.sh node_modules \
 && test ! -e node_modules/typescript

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: forwards SIGTERM to node and reaps children, so `docker stop` and pod
# termination shut down gracefully instead of waiting for SIGKILL.
# The base image's package managers (npm, npx, corepack, yarn) are dev tools nothing runs here.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
 && rm -f /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
# The repository layout is kept (dist/, libs/negotiation/scenarios/, apps/web/dist/) so paths the
# services resolve relative to the repository root work unchanged. Code stays owned by root and
# read-only for the service user; only /data is writable.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist ./dist
COPY --from=build /app/libs/negotiation/scenarios ./libs/negotiation/scenarios
COPY --from=build /app/apps/web/dist ./apps/web/dist
# A fresh named volume copies this directory's owner, so the `node` user (uid 1000) can write it.
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME ["/data"]
# Numeric uid:gid of the image's `node` user: Kubernetes' runAsNonRoot can only verify a number.
USER 1000:1000
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/gateway/src/main.js"]
