import '../src/load-env.js';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLoadUsers } from '../scripts/lib/fixtures.js';
import { startProcessStack } from '../scripts/lib/stack.js';
import type { TemporalTopology } from '../scripts/lib/temporal-server.js';
import { envInt, step } from '../scripts/lib/tools.js';
import { seed as seedBaskets } from '../src/db/seed.js';
import { workerTuning } from '../src/temporal.js';
import { apiLoad, type RouteResult } from './api-load.js';
import { benchStackOptions } from './lib/stack-options.js';
import { compareTopologies, temporalDescription } from './topologies.js';
import {
  baselinePhase,
  comparePhases,
  describeShape,
  sagaPhase,
  sagaShape,
  type Comparison,
  type PhaseResult,
  type SagaKind,
  type Workload,
} from './sagas.js';
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
/** BENCH_AA=true: an A/A run, the baseline in the saga's place too: how far the ratio moves when nothing differs. */
const baselineTwice = process.env.BENCH_AA === 'true';
const n = envInt('BENCH_N', 100);
const concurrency = envInt('BENCH_CONCURRENCY', 50);
/** BENCH_ONLY=api: the API phase alone (after the warm-up deposits it reads); BENCH_ONLY=sagas: no API phase. */
const only = process.env.BENCH_ONLY;
const scales = only === 'api' ? [] : (process.env.BENCH_SCALES ?? '1,4,16').split(',').filter(Boolean).map(Number);
/** The withdrawal and the basket order, each against its own baseline, at one scale (BENCH_SHAPES_SCALE=0: neither). */
const shapesScale = only === 'api' ? 0 : envInt('BENCH_SHAPES_SCALE', 4);
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

  await seedBaskets(stack.db);
  const basketId = (await stack.db.basket.findFirstOrThrow({ where: { isActive: true }, select: { id: true } })).id;
  const workload = (kind: SagaKind): Workload => ({ kind, users, basketId });

  step(only === 'api' ? 'deposits for the API phase to read' : 'warm-up: deposits, then the baseline with the shape of the last one');
  const phases: SagaComparison[] = [];
  /** Warms up `kind`, reads its shape from the last warm-up run, then compares it with that baseline at each scale. */
  const measure = async (kind: SagaKind, kindScales: number[]) => {
    const warm = await sagaPhase(stack, workload(kind), 20, 10);
    const shape = await sagaShape(stack, warm.sampleWorkflowId);
    if (kindScales.length === 0) return;
    step(`a ${kind} after its accept activity: ${describeShape(shape)}`);
    await baselinePhase(stack, workload(kind), shape, 20, 10);
    for (const scale of kindScales) {
      step(`${kind} ${scale}x N = ${scale * n} runs of each, ${concurrency} in flight`);
      const comparison = await comparePhases(stack, workload(kind), shape, scale * n, concurrency, baselineTwice);
      phases.push({ kind, scale, shape: describeShape(shape), ...comparison });
      const { baseline, saga, halves } = comparison;
      step(
        `${kind} ${scale}x: saga ${saga.perSecond.toFixed(1)}/s, baseline ${baseline.perSecond.toFixed(1)}/s, ` +
          `ratio ${(saga.perSecond / baseline.perSecond).toFixed(2)} (halves ${halves.map((h) => h.toFixed(2)).join(', ')})`,
      );
    }
  };
  await measure('deposit', scales);
  if (shapesScale > 0) {
    await measure('withdrawal', [shapesScale]);
    await measure('basket', [shapesScale]);
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

  await report({ phases, routes, loadAverage });
} finally {
  await stack.stop();
}

/** One saga kind against its baseline at one scale. */
type SagaComparison = Comparison & { kind: SagaKind; scale: number; shape: string };

async function report(results: { phases: SagaComparison[]; routes: RouteResult[]; loadAverage: string }) {
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
  const ratio = (c: Comparison) => c.saga.perSecond / c.baseline.perSecond;
  const headline = results.phases.filter((p) => p.kind === 'deposit').at(-1);
  const sagaRows = results.phases.flatMap((c) =>
    [c.baseline, c.saga].map((p, side) => [
      c.kind,
      `${c.scale}x`,
      side === 0 ? 'baseline' : baselineTwice ? 'baseline (A/A)' : 'saga',
      p.runs,
      p.perSecond.toFixed(1),
      ms(p.latency.p50),
      ms(p.latency.p95),
      ms(p.latency.p99),
      p.historyLength.toFixed(0),
      p.stateTransitions.toFixed(0),
      p.retriesPerRun.toFixed(1),
      side === 1 ? ratio(c).toFixed(2) : '',
      side === 1 ? c.halves.map((h) => h.toFixed(2)).join(' / ') : '',
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
    r.generatorDelayMs ? `${ms(r.generatorDelayMs.p99)} / ${ms(r.generatorDelayMs.max)}` : '–',
    r.idleDelayMs ? `${ms(r.idleDelayMs.p99)} / ${ms(r.idleDelayMs.max)}` : '–',
    r.eventLoopDelayMs ? `${ms(r.eventLoopDelayMs.p50)} / ${ms(r.eventLoopDelayMs.p99)} / ${ms(r.eventLoopDelayMs.max)}` : '–',
  ]);
  // CPU per run of each process, baseline → saga, one column per comparison; the last rows sum them.
  const sum = (m: Record<string, number>) => Object.values(m).reduce((a, v) => a + v, 0);
  const processes = results.phases.length ? Object.keys(results.phases[0]!.saga.cpuMsPerRun) : [];
  // The sandbox stands in for Circle and Alpaca (not on fundflow's cores in production) and `bench` is the load
  // generator: what fundflow itself spends is the rest.
  const ownCpu = (p: PhaseResult) => sum(p.cpuMsPerRun) - (p.cpuMsPerRun.sandbox ?? 0) - (p.cpuMsPerRun.bench ?? 0);
  const cpuCell = (b: number, sg: number) => `${b.toFixed(1)} → ${sg.toFixed(1)}`;
  const cpuRows = [
    ...processes.map((name) => [
      name,
      ...results.phases.map((c) => cpuCell(c.baseline.cpuMsPerRun[name] ?? 0, c.saga.cpuMsPerRun[name] ?? 0)),
    ]),
    ['all', ...results.phases.map((c) => cpuCell(sum(c.baseline.cpuMsPerRun), sum(c.saga.cpuMsPerRun)))],
    ['fundflow (all but the sandbox and the load generator)', ...results.phases.map((c) => cpuCell(ownCpu(c.baseline), ownCpu(c.saga)))],
    [
      '**saga extra, % of baseline**',
      ...results.phases.map((c) => `**${((ownCpu(c.saga) / ownCpu(c.baseline) - 1) * 100).toFixed(0)} %**`),
    ],
  ];
  const markdown = [
    `# Benchmark results`,
    ``,
    `${new Date().toISOString()} · ${settings.machine} · Node ${settings.node} · ${settings.temporal}`,
    `Worker: ${JSON.stringify(settings.worker)} · PostgreSQL pool ${settings.databasePoolSize} per process · ${concurrency} runs in flight`,
    ``,
    ...(baselineTwice ? [`**A/A run (BENCH_AA=true): every "saga" row below is the baseline run again.**`, ``] : []),
    ...(headline
      ? [
          `**Deposit saga ratio to baseline at ${headline.scale}x N: ${ratio(headline).toFixed(2)}** (halves ` +
            `${headline.halves.map((h) => h.toFixed(2)).join(' and ')}; ${headline.saga.perSecond.toFixed(1)} deposits/s against ` +
            `${headline.baseline.perSecond.toFixed(1)} baseline runs/s)`,
          ``,
        ]
      : []),
    ...(results.phases.length
      ? [
          `## Sagas end to end (POST to the saga's last status) against their same-shape no-op baselines`,
          ``,
          `Halves: the ratio in the first (baseline, saga) and in the second (saga, baseline) half of the ABBA order.`,
          ...[...new Map(results.phases.map((c) => [c.kind, c.shape]))].map(
            ([kind, shape]) => `A ${kind} after its accept activity: ${shape}.`,
          ),
          ``,
          table(
            [
              'saga',
              'scale',
              'run',
              'runs',
              'per s',
              'p50 ms',
              'p95 ms',
              'p99 ms',
              'history events',
              'state transitions',
              'activity retries',
              'ratio',
              'halves',
            ],
            sagaRows,
          ),
          ``,
          `## Where the CPU went (ms of CPU per run, baseline → saga; ${os.cpus().length} cores shared by every process)`,
          ``,
          table(['process', ...results.phases.map((c) => `${c.kind} ${c.scale}x`)], cpuRows),
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
              'load generator event-loop p99 / max ms',
              'idle process event-loop p99 / max ms',
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
