# crowdcart as a container: `docker build -t crowdcart .`, then see compose.yaml and the README's
# "Running in production".
#
# It runs the TypeScript sources through tsx, exactly as `npm start` does, rather than a compiled
# build: tsx and esbuild are production dependencies already, the image then runs the very code the
# tests ran (no second build configuration to drift), and the cost is about a second of transform
# at start. The type-check (`npm run check`) belongs in CI, not in the image.

# 1. Production dependencies only, installed exactly as the lockfile lists them.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 2. The runtime: the sources the server loads, those dependencies, and nothing else.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json tsconfig.json ./
COPY --chown=node:node src ./src
COPY --chown=node:node adapters ./adapters
COPY --chown=node:node commands ./commands
COPY --chown=node:node models ./models
COPY --chown=node:node embedded-mongo ./embedded-mongo
# Where the embedded store keeps its data when a single container runs without MongoDB (DATA_DIR=/data).
RUN mkdir -p /data && chown node:node /data
# The image's own user (uid 1000), never root.
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself: it stops accepting, finishes in-flight requests, stops
# its workers and closes the database within 10 s (Docker waits 10 s before SIGKILL).
STOPSIGNAL SIGTERM
CMD ["node", "--max-old-space-size=384", "--require", "tsx/cjs", "src/main.ts"]
