import { createApp } from './src/api/app.js';
import { startInternalServer } from './src/api/internal.js';
import { loadConfigOrExit } from './src/config.js';
import { createDb } from './src/db/client.js';
import { createLogger } from './src/logger.js';
import { createProviders } from './src/providers/index.js';
import { connectClient } from './src/temporal.js';

// Wires config, Prisma and the Temporal client into the Express app, and starts the internal listener (/metrics,
// readiness details) on API_INTERNAL_PORT. On SIGTERM it stops accepting
// connections, lets in-flight requests finish (up to SHUTDOWN_GRACE_SECONDS), then closes its pools.

const config = loadConfigOrExit();
const logger = createLogger(config.LOG_LEVEL, 'api');
const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const temporal = await connectClient(config);
const providers = createProviders(config, logger);

const app = createApp({ config, db, temporal, logger, providers });
const server = app.listen(config.HTTP_PORT, config.HTTP_HOST, () => {
  logger.info({ address: server.address() }, 'api listening');
});
const internal = await startInternalServer(config, { db, temporal }, logger);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'api draining');
  const force = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_GRACE_SECONDS * 1000);
  server.closeIdleConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  clearTimeout(force);
  internal.closeAllConnections();
  await new Promise<void>((resolve) => internal.close(() => resolve()));
  await temporal.connection.close();
  await db.$disconnect();
  logger.info('api stopped');
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
