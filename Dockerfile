# voiceload in a container: the harness with livekit-server, sox and espeak-ng (target `runtime`,
# the default), and the reference @livekit/agents worker as a deployable image (target `worker`).
#
#   docker build -t voiceload .
#   docker build --target worker -t voiceload-worker .
#   docker run --rm --cpus 4 --memory 8g --network none --cap-add NET_ADMIN --cap-add SYS_NICE \
#     -v "$PWD/reports:/app/reports" voiceload scenario voice-30
#
# Base images are arguments so a machine that cannot pull them can make its own
# (scripts/container-bases.sh); docs/containers.md has the details.
ARG NODE_IMAGE=node:20-bookworm-slim
ARG GO_IMAGE=golang:1.26-bookworm

# livekit-server, built from source at the version the harness pins (harness/server/provision.ts),
# as the harness builds it on first use, so a build may mount that Go cache
# (`-v "$(go env GOMODCACHE):/root/go/pkg/mod" -v "$(go env GOCACHE):/root/.cache/go-build"`).
# Only /out/server leaves this stage.
FROM ${GO_IMAGE} AS server
ARG LIVEKIT_SERVER_VERSION=v1.13.5
RUN CGO_ENABLED=0 GOBIN=/out GOFLAGS=-buildvcs=false \
    go install -ldflags='-s -w' github.com/livekit/livekit-server/cmd/server@${LIVEKIT_SERVER_VERSION}

# The harness: npm ci, tsc. The modules are kept whole: playwright-core is both a dependency and a
# devDependency, and `npm prune --omit=dev` drops it.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY harness harness
COPY scenarios scenarios
COPY test test
COPY bench bench
RUN npx tsc -b && rm -rf dist/test dist/bench dist/.tsbuildinfo && find dist -name '*.map' -delete

# What the harness and the worker share: Node 20, the built harness, its production modules.
FROM ${NODE_IMAGE} AS app
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist

# The reference worker (framework runtime), as an operator deploys one: it reads LIVEKIT_URL,
# LIVEKIT_API_KEY and LIVEKIT_API_SECRET, registers under LIVEKIT_AGENT_NAME, and serves its health
# checks (`/` ready, `/worker` alive) on 8081 on every interface for the kubelet. curl: podman's
# `kube play` runs httpGet probes with it inside the container.
FROM app AS worker
RUN apt-get update && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
ENV VOICELOAD_HEALTH_HOST=0.0.0.0 VOICELOAD_HEALTH_PORT=8081 LIVEKIT_AGENT_NAME=voiceload-agent
EXPOSE 8081
ENTRYPOINT ["node", "/app/dist/harness/runtimes/workers/framework-worker.js"]
CMD ["start"]

# The harness (default target): scenario, gate, report... with the server and the fixture tools.
# iproute2 gives the run its own veth pair inside the container's network namespace.
FROM app AS runtime
ARG WITH_CHROMIUM=0
RUN apt-get update \
 && apt-get install -y --no-install-recommends sox espeak-ng iproute2 \
 && if [ "$WITH_CHROMIUM" = 1 ]; then apt-get install -y --no-install-recommends chromium; fi \
 && rm -rf /var/lib/apt/lists/*
COPY --from=server /out/server /usr/local/bin/livekit-server
COPY fixtures fixtures
COPY scripts scripts
ENTRYPOINT ["/app/scripts/container-entry.sh"]
CMD ["list"]
