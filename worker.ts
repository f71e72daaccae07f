import path from 'node:path';
import { DefaultLogger, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import { createActivities } from './activities/index.js';
import { loadConfigOrExit } from './src/config.js';
import { createDb } from './src/db/client.js';
import { startHealthServer } from './src/health.js';
import { createLogger } from './src/logger.js';
import { registry } from './src/metrics.js';
import { createProviders } from './src/providers/index.js';
import { ensureReconcileSchedule } from './src/schedules/reconcile.js';
import { ensureRetentionSchedule } from './src/schedules/retention.js';
import { ensureWeeklySummarySchedule } from './src/schedules/weekly-summary.js';
import { ensureWebhookDispatcher } from './src/schedules/webhooks.js';
import { connectWorker, dataConverterOf, temporalClient, workerTuning } from './src/temporal.js';

// Wires config, Prisma and the provider adapters into activities, registers the workflows, ensures the schedules
// (src/schedules/), and runs until SIGTERM/SIGINT, when the Temporal runtime stops polling and the worker drains its in-flight tasks.

const config = loadConfigOrExit();
const logger = createLogger(config.LOG_LEVEL, 'worker');
// The SDK's own log and the activities' context log (which carries workflowId, runId and activityType) go
// through the same JSON logger as everything else.
const sdkLogger = logger.child({ component: 'temporal' });
const sdkLevels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error',
};
Runtime.install({
  logger: new DefaultLogger('INFO', ({ level, message, meta }) => sdkLogger[sdkLevels[level]](meta ?? {}, message)),
  shutdownSignals: ['SIGTERM', 'SIGINT'],
  telemetryOptions: config.WORKER_SDK_METRICS_PORT
    ? { metrics: { prometheus: { bindAddress: `${config.HTTP_HOST}:${config.WORKER_SDK_METRICS_PORT}` } } }
    : undefined,
});

const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const providers = createProviders(config, logger);
const connection = await connectWorker(config);

// The schedules (weekly summary, reconciliation, retention purge) are part of the worker's deployment: created or
// brought up to date at every start.
const scheduleClient = temporalClient(config, connection);
await ensureWeeklySummarySchedule(scheduleClient, config);
await ensureReconcileSchedule(scheduleClient, config);
await ensureRetentionSchedule(scheduleClient, config);
await ensureWebhookDispatcher(scheduleClient, config);

const worker = await Worker.create({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  workflowsPath: path.resolve(import.meta.dirname, 'workflows/index.ts'),
  activities: createActivities({ db, providers, config, logger }),
  dataConverter: dataConverterOf(config),
  ...workerTuning(config),
});

const health = await startHealthServer({
  host: config.HTTP_HOST,
  port: config.WORKER_HTTP_PORT,
  logger,
  routes: { '/metrics': async () => ({ contentType: registry.contentType, body: await registry.metrics() }) },
  checks: {
    postgres: async () => void (await db.$queryRaw`SELECT 1`),
    temporal: async () => {
      if (worker.getState() !== 'RUNNING') throw new Error(`worker is ${worker.getState()}`);
    },
  },
});

logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'worker started');
try {
  await worker.run();
} finally {
  health.close();
  await connection.close();
  await db.$disconnect();
  logger.info('worker stopped');
}
