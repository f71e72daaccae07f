# syntax=docker/dockerfile:1
# One image for the API, the worker, the migration job and the sandbox; the compose file picks the command.

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
EXPOSE 3000 3001 4010
CMD ["npm", "run", "server"]
