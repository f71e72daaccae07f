#!/usr/bin/env bash
# Sets up whatever is missing for `npm run dev` and `npm test`, and nothing twice: the Prisma client (generated
# offline) and the Temporal CLI (go install, cached in .tools/). The database is scripts/dev.ts's and the test
# setup's to choose, migrate and seed (scripts/lib/postgres.ts: DATABASE_URL, else 127.0.0.1:5432, else embedded).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[36m▸\033[0m %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || { echo "Node >= 20.19 is required (found $(node --version))" >&2; exit 1; }

# Prisma's CLI would download its native schema engine even for `generate`, which does not use it; any existing
# file satisfies the check, so generation works offline. Migrations run through src/db/migrate.ts.
stamp=src/generated/prisma/.schema.sha256
want=$(sha256sum prisma/schema.prisma | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  say "generating the Prisma client"
  PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$(type -P true)}" npx --no-install prisma generate >/dev/null
  echo "$want" > "$stamp"
else
  say "Prisma client is up to date"
fi

if [[ -x .tools/bin/temporal || -n ${TEMPORAL_CLI_PATH:-} ]]; then
  say "Temporal CLI is present"
else
  command -v go >/dev/null || {
    echo "Go is needed once, to build the Temporal CLI (no package registry ships it): install Go >= 1.21 (it fetches the 1.25 toolchain the CLI needs itself)" \
      "from https://go.dev/dl (Debian 12's golang-go is 1.19, too old), or set TEMPORAL_CLI_PATH to a temporal binary" >&2
    exit 1
  }
  say "building the Temporal CLI with go install (first time only: several minutes)"
  GOBIN="$PWD/.tools/bin" go install github.com/temporalio/cli/cmd/temporal@v1.5.1
fi

# The full Temporal server and its SQL schema tool, only when that topology is asked for (TEMPORAL_TOPOLOGY=server,
# docs/temporal-server.md); go install names them server and sql, renamed as in Temporal's images
# (scripts/lib/tools.ts: temporalServerVersion).
if [[ ${TEMPORAL_TOPOLOGY:-dev} == server ]]; then
  if [[ -x .tools/bin/temporal-server && -x .tools/bin/temporal-sql-tool ]]; then
    say "Temporal server is present"
  else
    say "building the Temporal server and its SQL tool with go install (first time only: several minutes)"
    GOBIN="$PWD/.tools/go-install" go install go.temporal.io/server/cmd/server@v1.29.1 go.temporal.io/server/cmd/tools/sql@v1.29.1
    mv .tools/go-install/server .tools/bin/temporal-server
    mv .tools/go-install/sql .tools/bin/temporal-sql-tool
  fi
fi

# helm renders the Kubernetes chart (deploy/helm/fundflow) in test/deploy, offline; built once the same way
# (scripts/lib/tools.ts: helmVersion).
if [[ -x .tools/bin/helm || -n ${HELM_PATH:-} ]]; then
  say "helm is present"
else
  say "building helm with go install (first time only: a few minutes)"
  GOBIN="$PWD/.tools/bin" go install helm.sh/helm/v3/cmd/helm@v3.20.2
fi

say "setup done (node $node_major)"
