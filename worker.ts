import './src/load-env.js';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
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
import { createQueueWorkers, runQueueWorkers } from './src/task-queues.js';
import { connectWorker, temporalClient } from './src/temporal.js';
import { startTracing } from './src/tracing.js';
import { resealWebhookSecrets } from './src/webhooks/secrets.js';

// Wires config, Prisma and the provider adapters into activities, registers the workflows, ensures the schedules
// (src/schedules/), and runs one Temporal Worker per task queue it serves (WORKER_TASK_QUEUES: main and each
// provider's, src/task-queues.ts) on one connection until SIGTERM/SIGINT, when the Temporal runtime stops polling
// and every worker drains its in-flight tasks.

const config = loadConfigOrExit();
const logger = createLogger(config.LOG_LEVEL, 'worker');
const tracing = startTracing(config, 'fundflow-worker');
// The SDK's own log and the activities' context log (which carries workflowId, runId and activityType) go
// through the same JSON logger as everything else.
const sdkLogger = logger.child({ component: 'temporal' });
const sdkLevels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
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
// Endpoint secrets stored in plain text (before WEBHOOK_SECRET_KEYS) or under a retired key are sealed with the current one.
const { resealed, unreadable } = await resealWebhookSecrets(db, config);
if (resealed > 0) logger.info({ resealed }, 'webhook endpoint secrets sealed with the current key');
if (unreadable.length > 0) {
  logger.error(
    { endpointIds: unreadable },
    'webhook endpoint secrets that no key in WEBHOOK_SECRET_KEYS opens: their deliveries fail until it is configured again',
  );
}

const workers = await createQueueWorkers({ connection, config, activities: createActivities({ db, providers, config, logger }), tracing });

const health = await startHealthServer({
  host: config.HTTP_HOST,
  port: config.WORKER_HTTP_PORT,
  logger,
  routes: { '/metrics': async () => ({ contentType: registry.contentType, body: await registry.metrics() }) },
  checks: {
    postgres: async () => void (await db.$queryRaw`SELECT 1`),
    // One check per task queue served (`temporal:circle`, ...): a worker that stopped polling makes the process unready.
    ...Object.fromEntries(
      workers.map(({ role, worker }) => [
        `temporal:${role}`,
        async () => {
          if (worker.getState() !== 'RUNNING') throw new Error(`worker is ${worker.getState()}`);
        },
      ]),
    ),
  },
});

logger.info({ taskQueues: workers.map((w) => w.taskQueue), temporal: config.TEMPORAL_ADDRESS }, 'worker started');
try {
  await runQueueWorkers(workers);
} finally {
  health.close();
  await connection.close();
  await db.$disconnect();
  await tracing.shutdown();
  logger.info('worker stopped');
}
