import client from 'prom-client';
import type { Db } from './db/client.js';

// Prometheus metrics of our own. The Temporal SDK's metrics (task latencies, slots, polls) come from the
// worker's Rust core on WORKER_SDK_METRICS_PORT; these complement them with what only we know.

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

export const httpRequestDuration = new client.Histogram({
  name: 'fundflow_http_request_duration_seconds',
  help: 'API request latency by route template, method and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

/** Set by each reconciliation run (activities/reconcile/): the breaks open after it, by check. */
export const reconciliationBreaksOpen = new client.Gauge({
  name: 'fundflow_reconciliation_breaks_open',
  help: 'Reconciliation breaks open (found and not resolved by an operator) after the last run, by check',
  labelNames: ['check'] as const,
  registers: [registry],
});

export const providerErrors = new client.Counter({
  name: 'fundflow_provider_errors_total',
  help: 'Provider failures seen by activities, by provider, activity, ProviderError kind and whether it is retried',
  labelNames: ['provider', 'operation', 'kind', 'retryable'] as const,
  registers: [registry],
});

/**
 * `load`, run at most once per `maxAgeMs`: calls within that time after a result get that result, calls while a
 * load runs wait for it (concurrent scrapes share one), and a failed load is not kept (the next call loads again).
 */
export function refreshedAtMostEvery<T>(maxAgeMs: number, load: () => Promise<T>): () => Promise<T> {
  let last: { value: T; at: number } | undefined;
  let running: Promise<T> | undefined;
  return () => {
    if (last && Date.now() - last.at < maxAgeMs) return Promise.resolve(last.value);
    running ??= load().then(
      (value) => {
        last = { value, at: Date.now() };
        running = undefined;
        return value;
      },
      (error: unknown) => {
        running = undefined;
        throw error;
      },
    );
    return running;
  };
}

/**
 * Rows per saga kind and status, read from PostgreSQL: the outcome counts are the rows' own truth, not a counter
 * that a restart would reset. Counting whole tables is not free, and every Prometheus replica scrapes: the count
 * runs at most every `refreshSeconds` (METRICS_SAGA_STATUS_REFRESH_SECONDS) and scrapes in between show it.
 * Only the API process registers it.
 */
export function registerSagaStatusGauge(db: Db, { refreshSeconds }: { refreshSeconds: number }): void {
  if (registry.getSingleMetric('fundflow_sagas')) return;
  const countByStatus = refreshedAtMostEvery(
    refreshSeconds * 1000,
    () => db.$queryRaw<{ kind: string; status: string; count: bigint }[]>`
      SELECT 'deposit' AS kind, status::text, count(*) FROM deposits GROUP BY status
      UNION ALL SELECT 'withdrawal', status::text, count(*) FROM withdrawals GROUP BY status
      UNION ALL SELECT 'order', status::text, count(*) FROM orders GROUP BY status`,
  );
  new client.Gauge({
    name: 'fundflow_sagas',
    help: `Deposits, withdrawals and orders by status (from the database, counted at most every ${refreshSeconds} s)`,
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
    async collect() {
      const rows = await countByStatus();
      this.reset();
      for (const r of rows) this.set({ kind: r.kind, status: r.status }, Number(r.count));
    },
  });
}
