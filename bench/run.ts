import '../src/load-env.js';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLoadUsers } from '../scripts/lib/fixtures.js';
import { startProcessStack } from '../scripts/lib/stack.js';
import type { TemporalTopology } from '../scripts/lib/temporal-server.js';
import { envInt, step } from '../scripts/lib/tools.js';
import { workerTuning } from '../src/temporal.js';
import { apiLoad, type RouteResult } from './api-load.js';
import { benchStackOptions } from './lib/stack-options.js';
import { compareTopologies, temporalDescription } from './topologies.js';
import { baselinePhase, comparePhases, depositPhase, sagaShape, type PhaseResult } from './sagas.js';
import { ms, table } from '../scripts/lib/stats.js';

// `npm run bench`: the deposit saga end to end against a same-shape no-op baseline, alternating phases at 1x, 4x
// and 16x N, then the API under HTTP load. Everything runs as separate processes on this machine (see
// scripts/lib/stack.ts); results go to bench/results/latest.{md,json}. Knobs: BENCH_N, BENCH_CONCURRENCY,
// BENCH_USERS, BENCH_SCALES, BENCH_API_SECONDS (0: no API load), BENCH_API_CONNECTIONS, BENCH_LABEL, BENCH_TEMPORAL,
// and the WORKER_* / DATABASE_POOL_SIZE settings.

/** Names the result files: `latest` unless a tuning experiment says otherwise. */
const label = process.env.BENCH_LABEL ?? 'latest';
/** BENCH_EAGER_ACTIVITIES=true: the server hands a workflow's activities straight to its worker (both phases). */
const eagerActivities = process.env.BENCH_EAGER_ACTIVITIES === 'true';
const n = envInt('BENCH_N', 100);
const concurrency = envInt('BENCH_CONCURRENCY', 50);
/** BENCH_ONLY=api: the API phase alone (after the warm-up deposits it reads); BENCH_ONLY=sagas: no API phase. */
const only = process.env.BENCH_ONLY;
const scales = only === 'api' ? [] : (process.env.BENCH_SCALES ?? '1,4,16').split(',').filter(Boolean).map(Number);
const apiOptions = {
  connections: envInt('BENCH_API_CONNECTIONS', 50),
  durationMs: envInt('BENCH_API_SECONDS', 10) * 1000,
  rounds: envInt('BENCH_API_ROUNDS', 5),
};

/**
 * BENCH_TEMPORAL=server: every phase on the full Temporal server (PostgreSQL, 4 history shards) instead of the dev
 * server; BENCH_TEMPORAL=compare: only the deposit phase on both, side by side in one run (bench/topologies.ts).
 */
const benchTemporal = process.env.BENCH_TEMPORAL ?? 'dev';
if (benchTemporal === 'compare') {
  await compareTopologies({ label: process.env.BENCH_LABEL ?? 'temporal-topologies', concurrency, eagerActivities });
  process.exit(0);
}
if (benchTemporal !== 'dev' && benchTemporal !== 'server')
  throw new Error(`BENCH_TEMPORAL must be dev, server or compare, not ${benchTemporal}`);
const temporal: TemporalTopology = benchTemporal;

const stack = await startProcessStack(benchStackOptions('bench', { temporalTopology: temporal, eagerActivities }));

try {
  step('users with wallets');
  const users = await createLoadUsers(stack, envInt('BENCH_USERS', 20), { buyingPowerUsd: '1000000.00' });
  await stack.sandbox.setWebhookUrl(null);

  step(only === 'api' ? 'deposits for the API phase to read' : 'warm-up: deposits, then the baseline with the shape of the last one');
  const warmSaga = await depositPhase(stack, users, 20, 10);
  const shape = await sagaShape(stack, warmSaga.sampleWorkflowId);
  const describeShape = shape.map((s) => ('activity' in s ? 'activity' : 'upsert' in s ? 'upsert' : `timer ${s.timerMs} ms`)).join(', ');
  if (scales.length > 0) {
    step(`a deposit after its accept activity: ${describeShape}`);
    await baselinePhase(stack, users, shape, 20, 10);
  }

  const phases: { scale: number; baseline: PhaseResult; saga: PhaseResult }[] = [];
  for (const scale of scales) {
    step(`${scale}x N = ${scale * n} runs of each, ${concurrency} in flight`);
    const { baseline, saga } = await comparePhases(stack, users, shape, scale * n, concurrency);
    phases.push({ scale, baseline, saga });
    step(
      `${scale}x: saga ${saga.perSecond.toFixed(1)}/s, baseline ${baseline.perSecond.toFixed(1)}/s, ratio ${(saga.perSecond / baseline.perSecond).toFixed(2)}`,
    );
  }

  let routes: RouteResult[] = [];
  const loadAverage = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(', ');
  if (apiOptions.durationMs > 0 && only !== 'sagas') {
    step('API under load');
    const userIndex = new Map(users.map((u, i) => [u.id, i]));
    const rows = await stack.db.deposit.findMany({ select: { id: true, userId: true }, take: 1000 });
    routes = await apiLoad(
      stack,
      users,
      rows.map((r) => ({ depositId: r.id, userIndex: userIndex.get(r.userId)! })),
      apiOptions,
    );
  }

  await report({ phases, routes, shape: describeShape, loadAverage });
} finally {
  await stack.stop();
}

async function report(results: {
  phases: { scale: number; baseline: PhaseResult; saga: PhaseResult }[];
  routes: RouteResult[];
  shape: string;
  loadAverage: string;
}) {
  const settings = {
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    temporal: `${temporalDescription(temporal)}, eager activities ${eagerActivities ? 'on' : 'off'}`,
    n,
    concurrency,
    worker: workerTuning(stack.config),
    databasePoolSize: stack.config.DATABASE_POOL_SIZE,
    sandboxStepDelayMs: 0,
  };
  const headline = results.phases.at(-1);
  const sagaRows = results.phases.flatMap(({ scale, baseline, saga }) =>
    [baseline, saga].map((p) => [
      `${scale}x`,
      p.kind,
      p.runs,
      p.perSecond.toFixed(1),
      ms(p.latency.p50),
      ms(p.latency.p95),
      ms(p.latency.p99),
      p.historyLength.toFixed(0),
      p.stateTransitions.toFixed(0),
      p.kind === 'saga' ? (saga.perSecond / baseline.perSecond).toFixed(2) : '',
    ]),
  );
  const rpsOf = (route: string) => results.routes.find((r) => r.route === route)?.closed.rps ?? NaN;
  const hello = rpsOf('GET /healthz');
  const bareExpress = rpsOf('yardstick: bare Express route');
  const routeRows = results.routes.map((r) => [
    r.route,
    r.closed.rps.toFixed(0),
    ms(r.closed.latency.p50),
    ms(r.closed.latency.p99),
    (r.closed.rps / hello).toFixed(2),
    (r.closed.rps / bareExpress).toFixed(2),
    r.cpuMsPerRequest ? `${r.cpuMsPerRequest.server.toFixed(3)} / ${r.cpuMsPerRequest.postgres.toFixed(3)}` : '–',
    r.open ? `${r.open.rps.toFixed(0)}/s` : '–',
    r.open ? ms(r.open.latency.p50) : '–',
    r.open ? ms(r.open.latency.p99) : '–',
    r.open ? (r.open.latency.p99 / r.open.latency.p50).toFixed(1) : '–',
    r.eventLoopDelayMs ? `${ms(r.eventLoopDelayMs.p50)} / ${ms(r.eventLoopDelayMs.p99)} / ${ms(r.eventLoopDelayMs.max)}` : '–',
  ]);
  const processes = headline ? Object.keys(headline.saga.cpuMsPerRun) : [];
  const cpuRows = !headline
    ? []
    : processes.map((name) => {
        const b = headline.baseline.cpuMsPerRun[name] ?? 0;
        const sg = headline.saga.cpuMsPerRun[name] ?? 0;
        return [name, b.toFixed(1), sg.toFixed(1), (sg - b).toFixed(1)];
      });
  const sum = (m: Record<string, number>) => Object.values(m).reduce((a, v) => a + v, 0);
  if (headline)
    cpuRows.push([
      'all',
      sum(headline.baseline.cpuMsPerRun).toFixed(1),
      sum(headline.saga.cpuMsPerRun).toFixed(1),
      (sum(headline.saga.cpuMsPerRun) - sum(headline.baseline.cpuMsPerRun)).toFixed(1),
    ]);
  const markdown = [
    `# Benchmark results`,
    ``,
    `${new Date().toISOString()} · ${settings.machine} · Node ${settings.node} · ${settings.temporal}`,
    `Worker: ${JSON.stringify(settings.worker)} · PostgreSQL pool ${settings.databasePoolSize} per process · ${concurrency} runs in flight`,
    ``,
    ...(headline
      ? [
          `**Saga ratio to baseline at ${headline.scale}x N: ${(headline.saga.perSecond / headline.baseline.perSecond).toFixed(2)}** ` +
            `(${headline.saga.perSecond.toFixed(1)} deposits/s against ${headline.baseline.perSecond.toFixed(1)} baseline runs/s)`,
          ``,
          `## Deposit sagas end to end (POST /v1/deposits to broker_funded) against the same-shape no-op baseline`,
          ``,
          `Shape after the accept activity: ${results.shape}.`,
          ``,
          table(['scale', 'run', 'runs', 'per s', 'p50 ms', 'p95 ms', 'p99 ms', 'history events', 'state transitions', 'ratio'], sagaRows),
          ``,
          `## Where the CPU went at ${headline.scale}x (ms of CPU per run; ${os.cpus().length} cores shared by every process)`,
          ``,
          table(['process', 'baseline', 'saga', 'saga extra'], cpuRows),
          ``,
        ]
      : []),
    ...(routeRows.length
      ? [
          `## API (closed loop at ${apiOptions.connections} connections for ${apiOptions.durationMs / 1000} s per route, then open loop evenly paced at half ` +
            `that rate, each in ${apiOptions.rounds} slices taken in turns with the other routes)`,
          ``,
          `Load average at the start: ${results.loadAverage}. Event-loop delay: the API process's, during the paced phase.`,
          ``,
          table(
            [
              'route',
              'req/s',
              'p50 ms',
              'p99 ms',
              'vs /healthz',
              'vs bare Express',
              'CPU ms/req server / PostgreSQL',
              'paced at',
              'paced p50 ms',
              'paced p99 ms',
              'p99/p50',
              'event-loop delay p50 / p99 / max ms',
            ],
            routeRows,
          ),
          ``,
        ]
      : []),
  ].join('\n');
  const dir = path.resolve(import.meta.dirname, 'results');
  await writeFile(path.join(dir, `${label}.md`), markdown);
  await writeFile(path.join(dir, `${label}.json`), JSON.stringify({ at: new Date().toISOString(), settings, ...results }, null, 2) + '\n');
  process.stdout.write(`\n${markdown}\n`);
  step(`written to ${path.relative(process.cwd(), dir)}/${label}.{md,json}`);
}
