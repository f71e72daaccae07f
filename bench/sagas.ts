import { randomUUID } from 'node:crypto';
import type { ProcessStack } from '../scripts/lib/stack.js';
import { call, type LoadUser } from '../scripts/lib/fixtures.js';
import { workflowIds } from '../workflows/definitions.js';
import type { BaselineStep } from './baseline/workflows.js';
import { cpuSpent, sampleCpu } from './lib/cpu.js';
import { pool, progress, summarize, type LatencySummary } from '../scripts/lib/stats.js';

// The two kinds of end-to-end run the saga benchmark compares. A deposit: the user's USDC lands on chain (the
// sandbox, outside the clock), then the clock runs from POST /v1/deposits to the saga's completion. A baseline:
// from POST /bench/baseline to the completion of a workflow with the same shape and no work.

export interface PhaseResult {
  kind: 'baseline' | 'saga';
  runs: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  latency: LatencySummary;
  /** Mean over a sample of runs, from describe(). */
  historyLength: number;
  stateTransitions: number;
  /** CPU milliseconds per run, by process. */
  cpuMsPerRun: Record<string, number>;
  /** One run of the phase, to look at. */
  sampleWorkflowId: string;
}

/** A phase with what merging it with another needs. */
type Measured = PhaseResult & { latencies: number[]; cpuSeconds: Record<string, number> };

/** One run: its workflow id, and when its clock started (after any set-up that is not part of the run). */
type Run = (i: number) => Promise<{ workflowId: string; startedAt: number }>;

async function phase(stack: ProcessStack, kind: PhaseResult['kind'], runs: number, concurrency: number, run: Run): Promise<Measured> {
  const latencies: number[] = [];
  const workflowIdsSeen: string[] = [];
  const bar = progress(`${kind.padEnd(8)} ×${runs}`, runs);
  const cpuBefore = await sampleCpu(stack.pids());
  const started = performance.now();
  await pool(runs, concurrency, async (i) => {
    const { workflowId, startedAt } = await run(i);
    latencies.push(performance.now() - startedAt);
    workflowIdsSeen.push(workflowId);
    bar.tick(latencies.length);
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSpent(cpuBefore, await sampleCpu(stack.pids()));
  bar.end();
  const sample = workflowIdsSeen.filter((_, i) => i % Math.max(1, Math.floor(workflowIdsSeen.length / 20)) === 0);
  const described = await Promise.all(sample.map((id) => stack.client.workflow.getHandle(id).describe()));
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    kind,
    runs,
    concurrency,
    seconds,
    perSecond: runs / seconds,
    latency: summarize(latencies),
    historyLength: mean(described.map((d) => d.historyLength)),
    stateTransitions: mean(described.map((d) => Number(d.raw.workflowExecutionInfo?.stateTransitionCount ?? 0))),
    cpuMsPerRun: perRun(cpu, runs),
    sampleWorkflowId: workflowIdsSeen.at(-1)!,
    latencies,
    cpuSeconds: cpu,
  };
}

const perRun = (cpuSeconds: Record<string, number>, runs: number) =>
  Object.fromEntries(Object.entries(cpuSeconds).map(([name, seconds]) => [name, (seconds * 1000) / runs]));

/** Two halves of the same kind of phase as one. */
export function merge(a: Measured, b: Measured): PhaseResult {
  const runs = a.runs + b.runs;
  const seconds = a.seconds + b.seconds;
  const cpu = Object.fromEntries(Object.keys(a.cpuSeconds).map((k) => [k, a.cpuSeconds[k]! + (b.cpuSeconds[k] ?? 0)]));
  return {
    kind: a.kind,
    runs,
    concurrency: a.concurrency,
    seconds,
    perSecond: runs / seconds,
    latency: summarize([...a.latencies, ...b.latencies]),
    historyLength: (a.historyLength + b.historyLength) / 2,
    stateTransitions: (a.stateTransitions + b.stateTransitions) / 2,
    cpuMsPerRun: perRun(cpu, runs),
    sampleWorkflowId: b.sampleWorkflowId,
  };
}

/**
 * Baseline and saga at one scale, in the order baseline, saga, saga, baseline (half the runs each time): the
 * Temporal server slows a little as its store grows, and this order gives both kinds the same drift.
 */
export async function comparePhases(
  stack: ProcessStack,
  users: LoadUser[],
  shape: BaselineStep[],
  runs: number,
  concurrency: number,
): Promise<{ baseline: PhaseResult; saga: PhaseResult }> {
  const half = Math.ceil(runs / 2);
  const b1 = await baselinePhase(stack, users, shape, half, concurrency);
  const s1 = await depositPhase(stack, users, half, concurrency);
  const s2 = await depositPhase(stack, users, runs - half, concurrency);
  const b2 = await baselinePhase(stack, users, shape, runs - half, concurrency);
  return { baseline: merge(b1, b2), saga: merge(s1, s2) };
}

/** One deposit of `amountUsdc` by `user`, end to end; answers its workflow id and when its clock started. */
async function deposit(stack: ProcessStack, user: LoadUser, amountUsdc: string): Promise<{ workflowId: string; startedAt: number }> {
  const transfer = await stack.sandbox.chainTransfer({ chain: 'ethereum', toAddress: user.address, amount: amountUsdc });
  const startedAt = performance.now();
  const report = () => call(stack, 'POST', '/v1/deposits', { token: user.token, body: { chain: 'ethereum', txHash: transfer.txHash } });
  let reply = await report();
  // 503: the saga did not accept within the API's wait (a saturated Temporal); the API says to repeat, as an app
  // does, and the clock keeps running.
  for (let attempt = 1; reply.status === 503 && attempt < 5; attempt++) reply = await report();
  if (reply.status !== 202) throw new Error(`POST /v1/deposits answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  const workflowId = workflowIds.deposit('ethereum', transfer.txHash);
  const status = await stack.client.workflow.getHandle(workflowId).result();
  if (status !== 'broker_funded') throw new Error(`deposit ${workflowId} ended ${status}`);
  return { workflowId, startedAt };
}

export function depositPhase(stack: ProcessStack, users: LoadUser[], runs: number, concurrency: number): Promise<Measured> {
  return phase(stack, 'saga', runs, concurrency, async (i) => deposit(stack, users[i % users.length]!, '10.00'));
}

export function baselinePhase(
  stack: ProcessStack,
  users: LoadUser[],
  steps: BaselineStep[],
  runs: number,
  concurrency: number,
): Promise<Measured> {
  return phase(stack, 'baseline', runs, concurrency, async (i) => {
    const workflowId = `baseline-${randomUUID()}`;
    const startedAt = performance.now();
    const reply = await call(stack, 'POST', '/bench/baseline', {
      body: { workflowId, input: { userId: users[i % users.length]!.id, steps } },
    });
    if (reply.status !== 202) throw new Error(`POST /bench/baseline answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    await stack.client.workflow.getHandle(workflowId).result();
    return { workflowId, startedAt };
  });
}

/**
 * The commands a finished deposit's history shows after its accept activity (activities, search-attribute
 * upserts, timers, in order): the shape the baseline replays.
 */
export async function sagaShape(stack: ProcessStack, workflowId: string): Promise<BaselineStep[]> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const steps: BaselineStep[] = [];
  let activities = 0;
  for (const e of history.events ?? []) {
    if (e.activityTaskScheduledEventAttributes && activities++ > 0) steps.push({ activity: true });
    else if (e.upsertWorkflowSearchAttributesEventAttributes) steps.push({ upsert: true });
    else if (e.timerStartedEventAttributes) {
      const timeout = e.timerStartedEventAttributes.startToFireTimeout;
      steps.push({ timerMs: Number(timeout?.seconds ?? 0) * 1000 + Math.round((timeout?.nanos ?? 0) / 1e6) });
    }
  }
  return steps;
}
