#!/usr/bin/env bash
# Sets up whatever is missing for `npm run dev` and `npm test`, and nothing twice: the Prisma client (generated
# offline), the Temporal CLI (go install, cached in .tools/), and with `dev` the development database.
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
  say "building the Temporal CLI with go install (first time only: several minutes)"
  GOBIN="$PWD/.tools/bin" go install github.com/temporalio/cli/cmd/temporal@v1.5.1
fi

if [[ ${1:-} == dev ]]; then
  say "migrating the development database"
  npx --no-install tsx scripts/migrate.ts
  if [[ -f scripts/seed.ts ]]; then
    say "seeding baskets"
    npx --no-install tsx scripts/seed.ts
  fi
fi
say "setup done (node $node_major)"
