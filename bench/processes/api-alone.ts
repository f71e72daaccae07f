import type { Client } from '@temporalio/client';
import { createApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config.js';
import { createDb } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';

// The real app over a scratch database and no Temporal (bench/api-quick.ts): reads only, so a change to the read
// path can be measured in half a minute instead of a full stack's start.

const config = loadConfig();
const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const app = createApp({ config, db, temporal: {} as Client, logger: createLogger(config.LOG_LEVEL, 'api-alone') });
const server = app.listen(config.HTTP_PORT, '127.0.0.1', (error?: Error) => {
  if (error) throw error;
  process.send?.('ready');
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
