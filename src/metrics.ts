import { monitorEventLoopDelay } from 'node:perf_hooks';
import client from 'prom-client';
import type { Db } from './db/client.js';

// Prometheus metrics of our own. The Temporal SDK's metrics (task latencies, slots, polls) come from the
// worker's Rust core on WORKER_SDK_METRICS_PORT; these complement them with what only we know.

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

/** How often the event-loop delay monitor's timer fires; what it records beyond this interval is delay. */
const eventLoopSampleMs = 2;

/**
 * How long callbacks waited for a busy event loop since the previous scrape, by quantile (0.5, 0.9, 0.99, 1 = max),
 * from perf_hooks' monitorEventLoopDelay. That histogram records the time between two ticks of a timer, interval
 * included (prom-client's nodejs_eventloop_lag_* gauges report it so, 10 ms at rest); this one subtracts the
 * interval, so an idle loop reads 0 and a 12 ms synchronous stretch reads about 12 ms. Reset at every scrape.
 */
export function registerEventLoopDelay(register: client.Registry = registry): void {
  if (register.getSingleMetric('fundflow_event_loop_delay_seconds')) return;
  const histogram = monitorEventLoopDelay({ resolution: eventLoopSampleMs });
  histogram.enable();
  const delayOf = (ns: number) => Math.max(0, ns / 1e9 - eventLoopSampleMs / 1e3);
  new client.Gauge({
    name: 'fundflow_event_loop_delay_seconds',
    help: `Event-loop delay since the last scrape by quantile (1 = max), beyond the ${eventLoopSampleMs} ms sampling interval`,
    labelNames: ['quantile'] as const,
    registers: [register],
    // Several API processes (src/api/cluster.ts): the busiest one's.
    aggregator: 'max',
    collect() {
      if (histogram.count > 0) {
        for (const q of [50, 90, 99]) this.set({ quantile: String(q / 100) }, delayOf(histogram.percentile(q)));
        this.set({ quantile: '1' }, delayOf(histogram.max));
      }
      histogram.reset();
    },
  });
}

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
    // Every API process counts the same rows (src/api/cluster.ts): one count, not their sum.
    aggregator: 'max',
    async collect() {
      const rows = await countByStatus();
      this.reset();
      for (const r of rows) this.set({ kind: r.kind, status: r.status }, Number(r.count));
    },
  });
}
