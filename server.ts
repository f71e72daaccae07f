import './src/load-env.js';
import cluster from 'node:cluster';
import { createApp } from './src/api/app.js';
import { apiProcesses, runApiCluster, serveClusterRequests } from './src/api/cluster.js';
import { startInternalServer } from './src/api/internal.js';
import { readinessChecks } from './src/api/routes/health.js';
import { loadConfigOrExit } from './src/config.js';
import { createDb } from './src/db/client.js';
import { createLogger } from './src/logger.js';
import { createProviders } from './src/providers/index.js';
import { connectClient } from './src/temporal.js';
import { startTracing } from './src/tracing.js';

// Wires config, Prisma and the Temporal client into the Express app, and starts the internal listener (/metrics,
// readiness details) on API_INTERNAL_PORT. On SIGTERM it stops accepting
// connections, lets in-flight requests finish (up to SHUTDOWN_GRACE_SECONDS), then closes its pools.
// With API_PROCESSES > 1 this first process only forks that many API processes on HTTP_PORT and serves the
// internal listener for all of them (src/api/cluster.ts).

const config = loadConfigOrExit();
const logger = createLogger(config.LOG_LEVEL, 'api');
const processes = apiProcesses(config);
if (cluster.isPrimary && processes > 1) {
  await runApiCluster(config, logger, processes);
  process.exit(0);
}
const tracing = startTracing(config, 'fundflow-api');
const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const temporal = await connectClient(config);
const providers = createProviders(config, logger);

const app = createApp({ config, db, temporal, logger, providers, tracing });
const server = app.listen(config.HTTP_PORT, config.HTTP_HOST, () => {
  logger.info({ address: server.address() }, 'api listening');
});
// A forked API process answers the first one's metrics and readiness requests instead.
const internal = cluster.isWorker
  ? void serveClusterRequests(readinessChecks({ db, temporal }))
  : await startInternalServer(config, { db, temporal }, logger);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'api draining');
  const force = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_GRACE_SECONDS * 1000);
  server.closeIdleConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  clearTimeout(force);
  if (internal) {
    internal.closeAllConnections();
    await new Promise<void>((resolve) => internal.close(() => resolve()));
  }
  await temporal.connection.close();
  await db.$disconnect();
  await tracing.shutdown();
  logger.info('api stopped');
  // A forked API process: the channel to the first process is all that keeps it alive now.
  if (cluster.isWorker) process.disconnect();
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
