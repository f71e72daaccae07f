import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { loadConfig } from '../../src/config.js';
import { createDb } from '../../src/db/client.js';
import { startHealthServer } from '../../src/health.js';
import { createLogger } from '../../src/logger.js';
import { createProviders } from '../../src/providers/index.js';
import { createQueueWorkers, runQueueWorkers } from '../../src/task-queues.js';
import { connectWorker, dataConverterOf, workerTuning } from '../../src/temporal.js';
import { createBaselineActivities } from '../baseline/activities.js';
import { baselineTaskQueue } from './queues.js';
import { providerQueues, providerTaskQueue } from '../../workflows/activities.js';

// The benchmark's worker process: the production workers (as worker.ts builds them: the main queue and each
// provider's) and the baseline's, on task queues of their own laid out the same way, with the same tuning and the
// same connection, so that both phases run on exactly the same process, server and settings.

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, 'bench-worker');
const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const connection = await connectWorker(config);
const common = { connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterOf(config), ...workerTuning(config) };

// The production side is every queue worker.ts serves (main and each provider's, src/task-queues.ts).
const workers = [
  ...(await createQueueWorkers({
    connection,
    config,
    activities: createActivities({ db, providers: createProviders(config, logger), config, logger }),
  })),
  {
    role: 'baseline',
    taskQueue: baselineTaskQueue(config),
    worker: await Worker.create({
      ...common,
      taskQueue: baselineTaskQueue(config),
      workflowsPath: path.resolve(import.meta.dirname, '../baseline/workflows.ts'),
      activities: createBaselineActivities(),
    }),
  },
  // The baseline's activities run on provider queues of its own wherever the saga's ran on a provider's.
  ...(await Promise.all(
    providerQueues.map(async (provider) => {
      const taskQueue = providerTaskQueue(baselineTaskQueue(config), provider);
      return {
        role: `baseline-${provider}`,
        taskQueue,
        worker: await Worker.create({ ...common, taskQueue, activities: createBaselineActivities() }),
      };
    }),
  )),
];

const health = await startHealthServer({
  host: config.HTTP_HOST,
  port: config.WORKER_HTTP_PORT,
  logger,
  checks: {
    workers: async () => {
      const idle = workers.find((w) => w.worker.getState() !== 'RUNNING');
      if (idle) throw new Error(`the ${idle.role} worker is ${idle.worker.getState()}`);
    },
  },
});
try {
  await runQueueWorkers(workers);
} finally {
  health.close();
  await connection.close();
  await db.$disconnect();
}
