import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import os from 'node:os';
import client from 'prom-client';
import type { Config } from '../config.js';
import { runChecks, startHealthServer, type ReadinessCheck } from '../health.js';
import type { Logger } from '../logger.js';
import { registry } from '../metrics.js';

// One API process per core behind one port (node:cluster). A Node process serves requests on one core; the API
// holds no state between requests that its processes must share (rate limits and idempotency live in PostgreSQL),
// so N processes carry about N times the load. The first process forks them, forks a new one when one dies, and
// owns API_INTERNAL_PORT: /metrics is the sum of all processes' metrics (prom-client's AggregatorRegistry; gauges
// say how they add up), /readyz asks every process for its own checks. SIGTERM reaches every process; each drains
// as a single one does (server.ts), and the first exits once they all have.

/**
 * How many API processes: API_PROCESSES, 0 = one per core. Not more than 1 unless asked: on the bench's two cores,
 * shared with PostgreSQL, Temporal and the load, two processes carried less than one (bench/README.md), and
 * os.availableParallelism() counts the host's cores, not a container's CPU limit.
 */
export function apiProcesses(config: Pick<Config, 'API_PROCESSES'>): number {
  const wanted = config.API_PROCESSES ?? 1;
  return wanted === 0 ? os.availableParallelism() : wanted;
}

const readyRequest = 'fundflow:ready?';
const readyAnswer = 'fundflow:ready';

interface ReadyMessage {
  type: typeof readyAnswer;
  id: string;
  result: { ok: boolean; checks: Record<string, string> };
}

/** In a forked API process: answers the first process's metrics and readiness requests. */
export function serveClusterRequests(checks: Record<string, ReadinessCheck>): void {
  client.AggregatorRegistry.setRegistries([registry]);
  new client.AggregatorRegistry(); // installs prom-client's listener for metrics requests
  process.on('message', (message: { type?: string; id?: string }) => {
    if (message.type !== readyRequest) return;
    void runChecks(checks).then((result) => process.send?.({ type: readyAnswer, id: message.id!, result } satisfies ReadyMessage));
  });
}

function askReady(worker: Worker, timeoutMs = 2_500): Promise<void> {
  return new Promise((resolve, reject) => {
    const id = randomUUID();
    const timer = setTimeout(() => done(new Error('no answer')), timeoutMs);
    const onMessage = (message: ReadyMessage) => {
      if (message.type !== readyAnswer || message.id !== id) return;
      const failed = Object.entries(message.result.checks).filter(([, v]) => v !== 'ok');
      done(message.result.ok ? undefined : new Error(failed.map(([k, v]) => `${k}: ${v}`).join('; ')));
    };
    const done = (error?: Error) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      if (error) reject(error);
      else resolve();
    };
    worker.on('message', onMessage);
    worker.send({ type: readyRequest, id });
  });
}

/** The first process: forks `count` API processes and serves the internal listener for all of them. */
export async function runApiCluster(config: Config, logger: Logger, count: number): Promise<void> {
  const aggregated = new client.AggregatorRegistry();
  let stopping = false;
  const fork = () => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, 'api process exited; starting another');
    setTimeout(fork, 1_000);
  });
  for (let i = 0; i < count; i++) fork();
  logger.info({ processes: count }, 'api processes started');

  const checks = (): Record<string, ReadinessCheck> => {
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    const byProcess = Object.fromEntries(workers.map((w) => [`api-${w.id}`, () => askReady(w)]));
    // Ready while every process is: a dead one is being replaced, and /readyz says so until it answers.
    return workers.length < count
      ? {
          ...byProcess,
          processes: async () => {
            throw new Error(`${workers.length} of ${count} running`);
          },
        }
      : byProcess;
  };
  const internal: http.Server = await startHealthServer({
    host: config.HTTP_HOST,
    port: config.API_INTERNAL_PORT,
    checks,
    routes: { '/metrics': async () => ({ contentType: aggregated.contentType, body: await aggregated.clusterMetrics() }) },
    logger,
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api processes draining');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await new Promise<void>((resolve) => {
    const check = () => Object.keys(cluster.workers ?? {}).length === 0 && stopping && resolve();
    cluster.on('exit', check);
  });
  internal.closeAllConnections();
  await new Promise<void>((resolve) => internal.close(() => resolve()));
  logger.info('api processes stopped');
}
