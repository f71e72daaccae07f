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

export const providerErrors = new client.Counter({
  name: 'fundflow_provider_errors_total',
  help: 'Provider failures seen by activities, by provider, activity, ProviderError kind and whether it is retried',
  labelNames: ['provider', 'operation', 'kind', 'retryable'] as const,
  registers: [registry],
});

/**
 * Rows per saga kind and status, read from PostgreSQL at scrape time: the outcome counts are the rows' own
 * truth, not a counter that a restart would reset. Only the API process registers it.
 */
export function registerSagaStatusGauge(db: Db): void {
  if (registry.getSingleMetric('fundflow_sagas')) return;
  new client.Gauge({
    name: 'fundflow_sagas',
    help: 'Deposits, withdrawals and orders by status (from the database)',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.$queryRaw<{ kind: string; status: string; count: bigint }[]>`
        SELECT 'deposit' AS kind, status::text, count(*) FROM deposits GROUP BY status
        UNION ALL SELECT 'withdrawal', status::text, count(*) FROM withdrawals GROUP BY status
        UNION ALL SELECT 'order', status::text, count(*) FROM orders GROUP BY status`;
      for (const r of rows) this.set({ kind: r.kind, status: r.status }, Number(r.count));
    },
  });
}
