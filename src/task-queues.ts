import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { providerTaskQueue, type ProviderQueue } from '../workflows/activities.js';
import type { Config } from './config.js';
import { dataConverterOf, workerTuning } from './temporal.js';
import { tracingWorkerOptions, type Tracing } from './tracing.js';
import { workflowCode } from './workflow-code.js';

// The task queues a worker process serves (WORKER_TASK_QUEUES) and one Worker per queue on the process's one
// NativeConnection. `main` runs the workflows and the database-only activities; each provider's queue runs the
// activities that call it (the table and the routing are workflows/activities.ts), so a provider that is down or
// throttling fills its own queue and its own activity slots, never the others'.
//
// Each provider queue carries Temporal's server-side rate limit (maxTaskQueueActivitiesPerSecond: the matching
// service hands out at most that many of the queue's activities per second, whatever the number of workers; the
// last poller's value wins, so every worker takes it from the same config). The defaults follow what the
// providers publish, read on 2026-12-02:
// - Circle Wallets (W3S): 5 requests/s for POSTs by default (10 for wallet creation), 20/s for every GET, per API
//   key (developers.circle.com/wallets/api-rate-limits); Circle Mint publishes no number. 5/s keeps the queue's
//   money movements (one POST each) inside the tightest limit; reads could go faster and their 429s retry.
// - Alpaca: the Trading API allows 200 requests/min per account (docs.alpaca.markets, "usage limit"); the Broker
//   API's limit is per partner and unpublished (read the X-RateLimit-* headers). 3/s stays under 200/min.
// - OpenAI: limits are per model and per usage tier of the organization (its limits page); no single figure
//   applies, so 5/s (300/min) is a conservative choice below the lowest paid tier of the small models.
// The Alpaca SDK's own client-side budget (ALPACA_RATE_LIMIT_PER_MINUTE) still applies inside each call.

export type TaskQueueRole = Config['WORKER_TASK_QUEUES'][number];

/** The Temporal task queue name of a role: TEMPORAL_TASK_QUEUE for main, `<it>-<provider>` for a provider. */
export function taskQueueOf(config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>, role: TaskQueueRole): string {
  return role === 'main' ? config.TEMPORAL_TASK_QUEUE : providerTaskQueue(config.TEMPORAL_TASK_QUEUE, role satisfies ProviderQueue);
}

/** The server-side rate limit of a provider's queue (undefined: none). */
export function activitiesPerSecondOf(config: Config, role: TaskQueueRole): number | undefined {
  const limit = {
    main: 0,
    circle: config.WORKER_CIRCLE_ACTIVITIES_PER_SECOND,
    alpaca: config.WORKER_ALPACA_ACTIVITIES_PER_SECOND,
    openai: config.WORKER_OPENAI_ACTIVITIES_PER_SECOND,
  }[role];
  return limit > 0 ? limit : undefined;
}

export interface QueueWorker {
  role: TaskQueueRole;
  taskQueue: string;
  worker: Worker;
}

/**
 * One Worker per role in `roles` (default WORKER_TASK_QUEUES) on `connection`. Every one registers every activity:
 * which queue an activity runs on is the workflow's choice, and a task scheduled on another queue than today's
 * table says (a run from before the routing) must still find its function there.
 */
export async function createQueueWorkers(options: {
  connection: NativeConnection;
  config: Config;
  activities: object;
  roles?: readonly TaskQueueRole[];
  /** Overrides for every worker (tests: fewer slots). */
  workerOptions?: Partial<WorkerOptions>;
  /** The process's tracing (src/tracing.ts): spans in workflows and around activities only when it exports them. */
  tracing?: Tracing;
}): Promise<QueueWorker[]> {
  const { connection, config } = options;
  const { traced, sinks, activityInterceptors } = tracingWorkerOptions(options.tracing);
  const roles = options.roles ?? config.WORKER_TASK_QUEUES;
  return Promise.all(
    roles.map(async (role) => {
      const taskQueue = taskQueueOf(config, role);
      const code = role === 'main' ? workflowCode(config, traced) : undefined;
      const worker = await Worker.create({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue,
        activities: options.activities,
        dataConverter: dataConverterOf(config),
        sinks,
        ...workerTuning(config),
        ...(code ?? { maxTaskQueueActivitiesPerSecond: activitiesPerSecondOf(config, role) }),
        interceptors: { ...code?.interceptors, activity: activityInterceptors },
        ...options.workerOptions,
      });
      return { role, taskQueue, worker };
    }),
  );
}

/** Runs the workers until all have stopped; when one fails, the others are shut down and its error thrown. */
export async function runQueueWorkers(workers: readonly Pick<QueueWorker, 'worker'>[]): Promise<void> {
  const results = await Promise.allSettled(
    workers.map(({ worker }) =>
      worker.run().catch((error: unknown) => {
        for (const other of workers) if (other.worker.getState() === 'RUNNING') other.worker.shutdown();
        throw error;
      }),
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
