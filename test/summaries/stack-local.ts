import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { Config } from '../../src/config.js';
import { createDb, type Db } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { createProviders } from '../../src/providers/index.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

// TEMPORARY until test/helpers/stack.ts (sandbox + worker + Temporal client for e2e tests) lands: then this file
// goes and the summary tests use that helper.

export interface SummaryStack {
  config: Config;
  db: Db;
  client: Client;
  sandbox: TestSandbox;
  close(): Promise<void>;
}

export async function startSummaryStack(): Promise<SummaryStack> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const sandbox = await startTestSandbox();
  const config = sandbox.config({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: inject('databaseUrl'),
    DATABASE_POOL_SIZE: '4',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `summaries-${process.pid}`,
  });
  const logger = createLogger(config.LOG_LEVEL, 'summaries-test');
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowsPath: path.resolve(import.meta.dirname, '../../workflows/index.ts'),
    activities: createActivities({ db, providers: createProviders(config, logger), config, logger }),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  return {
    config,
    db,
    client,
    sandbox,
    async close() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await db.$disconnect();
      await sandbox.stop();
    },
  };
}
