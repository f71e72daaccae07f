# syntax=docker/dockerfile:1
# One image for the API, the worker and the migration job; the compose file picks the command. NODE_ENV is
# production: every process refuses to start on a missing, weak or shipped secret, and the sandbox not at all.

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# Prisma's CLI wants a schema-engine path even for `generate`, which does not use it.
RUN PRISMA_SCHEMA_ENGINE_BINARY=/usr/bin/true npx prisma generate

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
USER node
EXPOSE 3000 3001
CMD ["npm", "run", "server"]
