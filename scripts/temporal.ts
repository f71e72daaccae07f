import '../src/load-env.js';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startTemporalServer, temporalTopology } from './lib/temporal-server.js';
import { repoRoot, step } from './lib/tools.js';

// `npm run temporal`: the Temporal dev server alone, persistent in .data/, Web UI on 8233, until Ctrl-C. With
// TEMPORAL_TOPOLOGY=server, the full Temporal server instead (docs/temporal-server.md), persistent in the databases
// `temporal` and `temporal_visibility` (TEMPORAL_SERVER_DATABASE names them) of the PostgreSQL `postgresUrl` points at
// (default DATABASE_URL's server), its log in .data/temporal-server.log; no Web UI.
export async function startDevTemporal(options: { uiCodecEndpoint?: string; postgresUrl?: string } = {}) {
  const dataDir = path.join(repoRoot, '.data');
  await mkdir(dataDir, { recursive: true });
  return startTemporalServer({
    store: {
      postgresUrl: options.postgresUrl ?? process.env.DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres',
      database: process.env.TEMPORAL_SERVER_DATABASE ?? 'temporal',
    },
    port: 7233,
    uiPort: 8233,
    metricsPort: 9233,
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    logLevel: 'error',
    // The full server logs its start-up races (services not yet joined) at error level: kept out of the terminal.
    logFile: temporalTopology() === 'server' ? path.join(dataDir, 'temporal-server.log') : undefined,
    uiCodecEndpoint: options.uiCodecEndpoint,
    // A TEMPORAL_NAMESPACE other than `default` exists from the start, as on a cluster prepared for fundflow.
    namespaces: process.env.TEMPORAL_NAMESPACE ? [process.env.TEMPORAL_NAMESPACE] : [],
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startDevTemporal();
  step(
    `Temporal ${temporalTopology() === 'server' ? 'server' : 'dev server'} at ${server.address}${server.uiUrl ? `, Web UI at ${server.uiUrl}` : ''}`,
  );
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
