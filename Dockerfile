# syntax=docker/dockerfile:1
# One image for the API, the worker and the migration job; the compose file picks the command. It runs compiled
# JavaScript with node as PID 1 (no npm or tsx between SIGTERM and the drain), production dependencies only, and
# the workflow bundle made here, so a worker starts polling without running webpack. NODE_ENV is production:
# every process refuses to start on a missing, weak or shipped secret, and the sandbox not at all.

# Build: every dependency, the Prisma client, tsc to dist/, the workflow bundle (npm run build).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Production dependencies only.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
ENV WORKER_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY prisma/migrations ./prisma/migrations
USER node
EXPOSE 3000 3001
STOPSIGNAL SIGTERM
# The API; the worker is `node dist/worker.js`, the migration job `node dist/scripts/migrate.js` (npm run start:*).
CMD ["node", "dist/server.js"]
