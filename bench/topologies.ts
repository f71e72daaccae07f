import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLoadUsers, type LoadUser } from '../scripts/lib/fixtures.js';
import { startProcessStack, type ProcessStack } from '../scripts/lib/stack.js';
import { ms, table } from '../scripts/lib/stats.js';
import { historyShards } from '../scripts/lib/temporal-full-server.js';
import type { TemporalTopology } from '../scripts/lib/temporal-server.js';
import { envInt, step } from '../scripts/lib/tools.js';
import { cpuSpent, sampleCpu } from './lib/cpu.js';
import { benchStackOptions } from './lib/stack-options.js';
import { sagaPhase, merge, type PhaseResult } from './sagas.js';

// BENCH_TEMPORAL=compare: the deposit saga end to end on the Temporal dev server (SQLite, one history shard) and on
// the full Temporal server (PostgreSQL store and visibility, several history shards), in one run on the same
// cores, with the same API, worker and sandbox processes in front of each. Both stacks stay up for the whole run and
// the phases go dev, server, server, dev (half the runs each), so a drift in the machine's load during the run
// charges both alike; what the idle stack spends meanwhile is reported beside.

export function temporalDescription(topology: TemporalTopology): string {
  return topology === 'server'
    ? `full Temporal server 1.29.1 (frontend, history, matching, worker), PostgreSQL store and SQL visibility, ${historyShards} history shards`
    : 'dev server (temporal CLI), SQLite file with WAL, 1 history shard';
}

interface Side {
  topology: TemporalTopology;
  stack: ProcessStack;
  users: LoadUser[];
}

interface TopologyResult {
  topology: TemporalTopology;
  saga: PhaseResult;
  /** CPU ms per run that the other, idle stack's processes spent during this topology's phases. */
  idleOtherCpuMsPerRun: number;
}

export async function compareTopologies(options: { label: string; concurrency: number; eagerActivities: boolean }): Promise<void> {
  const runs = envInt('BENCH_TOPOLOGY_RUNS', 300);
  const loadAtStart = os.loadavg();
  const sides: Side[] = [];
  try {
    for (const topology of ['dev', 'server'] as const) {
      step(`stack on the ${temporalDescription(topology)}`);
      const stack = await startProcessStack(
        benchStackOptions(`bench_${topology}`, { temporalTopology: topology, eagerActivities: options.eagerActivities }),
      );
      sides.push({ topology, stack, users: [] });
      const side = sides.at(-1)!;
      side.users = await createLoadUsers(stack, envInt('BENCH_USERS', 20), { buyingPowerUsd: '1000000.00' });
      await stack.sandbox.setWebhookUrl(null);
      step(`${topology}: warm-up deposits`);
      await sagaPhase(stack, { kind: 'deposit', users: side.users }, 20, 10);
    }
    const [dev, server] = sides as [Side, Side];

    const half = Math.ceil(runs / 2);
    const phase = async (side: Side, other: Side, count: number) => {
      step(`${side.topology}: ${count} deposits, ${options.concurrency} in flight`);
      const before = await sampleCpu(other.stack.pids());
      const measured = await sagaPhase(side.stack, { kind: 'deposit', users: side.users }, count, options.concurrency);
      const idle = cpuSpent(before, await sampleCpu(other.stack.pids()));
      const { postgres: _shared, bench: _self, ...own } = idle; // PostgreSQL and this process are counted in the phase
      return { measured, idleCpuSeconds: Object.values(own).reduce((a, v) => a + v, 0) };
    };
    const d1 = await phase(dev, server, half);
    const s1 = await phase(server, dev, half);
    const s2 = await phase(server, dev, runs - half);
    const d2 = await phase(dev, server, runs - half);
    const results: TopologyResult[] = [
      {
        topology: 'dev',
        saga: merge(d1.measured, d2.measured),
        idleOtherCpuMsPerRun: ((d1.idleCpuSeconds + d2.idleCpuSeconds) * 1000) / runs,
      },
      {
        topology: 'server',
        saga: merge(s1.measured, s2.measured),
        idleOtherCpuMsPerRun: ((s1.idleCpuSeconds + s2.idleCpuSeconds) * 1000) / runs,
      },
    ];
    await report(results, { ...options, runs, loadAtStart, loadAtEnd: os.loadavg() });
  } catch (error) {
    // Said before the stacks stop: runs still in flight then fail on closed connections, which would hide it.
    step(`the comparison failed: ${(error as Error).stack ?? error}`);
    throw error;
  } finally {
    for (const side of sides) await side.stack.stop();
  }
}

async function report(
  results: TopologyResult[],
  run: { label: string; concurrency: number; eagerActivities: boolean; runs: number; loadAtStart: number[]; loadAtEnd: number[] },
): Promise<void> {
  const [dev, server] = results as [TopologyResult, TopologyResult];
  const processes = ['temporal', 'worker', 'api', 'sandbox', 'postgres', 'bench'];
  // A process shown thread by thread (bench/lib/cpu.ts) counts as the sum of its rows.
  const cpu = (r: TopologyResult, name: string) =>
    Object.entries(r.saga.cpuMsPerRun).reduce((a, [k, v]) => (k === name || k.startsWith(`${name}: `) ? a + v : a), 0);
  const all = (r: TopologyResult) => Object.values(r.saga.cpuMsPerRun).reduce((a, v) => a + v, 0);
  const rows = results.map((r) => [
    r.topology === 'dev' ? 'dev server' : 'full server',
    r.saga.runs,
    r.saga.seconds.toFixed(0),
    r.saga.perSecond.toFixed(2),
    ms(r.saga.latency.p50),
    ms(r.saga.latency.p95),
    ms(r.saga.latency.p99),
    r.saga.historyLength.toFixed(0),
    r.saga.stateTransitions.toFixed(0),
    ...processes.map((name) => cpu(r, name).toFixed(1)),
    all(r).toFixed(1),
    r.idleOtherCpuMsPerRun.toFixed(1),
  ]);
  const load = (l: number[]) => l.map((v) => v.toFixed(1)).join(', ');
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`;
  const markdown = [
    `# Temporal topologies: the deposit saga on the dev server and on the full server`,
    ``,
    `${new Date().toISOString()} · ${machine} · Node ${process.version} · eager activities ${run.eagerActivities ? 'on' : 'off'} · ` +
      `${run.runs} deposits on each, ${run.concurrency} in flight, phases dev, server, server, dev`,
    `Load average at the start ${load(run.loadAtStart)}, at the end ${load(run.loadAtEnd)} (every process of this machine, not only the benchmark's).`,
    ``,
    `- dev: ${temporalDescription('dev')}`,
    `- server: ${temporalDescription('server')}`,
    ``,
    `**Full server / dev server: ${(server.saga.perSecond / dev.saga.perSecond).toFixed(2)} × the deposits per second; ` +
      `${(all(server) / all(dev)).toFixed(2)} × the CPU per deposit; Temporal's own CPU (server process + PostgreSQL) ` +
      `${((cpu(server, 'temporal') + cpu(server, 'postgres')) / (cpu(dev, 'temporal') + cpu(dev, 'postgres'))).toFixed(2)} ×.**`,
    ``,
    table(
      [
        'Temporal',
        'runs',
        's',
        'deposits/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'history events',
        'state transitions',
        ...processes.map((p) => `CPU ms/run ${p}`),
        'CPU ms/run all',
        'idle other stack, ms/run',
      ],
      rows,
    ),
    ``,
    `CPU per run from /proc; PostgreSQL is every postgres process of the machine (the full server's store and the`,
    `fundflow database alike, and whatever else uses that server meanwhile).`,
    ``,
  ].join('\n');
  const dir = path.resolve(import.meta.dirname, 'results');
  await writeFile(path.join(dir, `${run.label}.md`), markdown);
  await writeFile(
    path.join(dir, `${run.label}.json`),
    JSON.stringify({ at: new Date().toISOString(), machine, ...run, results }, null, 2) + '\n',
  );
  process.stdout.write(`\n${markdown}\n`);
  step(`written to ${path.relative(process.cwd(), dir)}/${run.label}.{md,json}`);
}
