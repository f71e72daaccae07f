import { randomUUID } from 'node:crypto';
import type { ProcessStack } from '../scripts/lib/stack.js';
import { call, loadPasscode, type LoadUser } from '../scripts/lib/fixtures.js';
import { workflowIds } from '../workflows/definitions.js';
import type { ActivityQueue, ActivityShape, BaselineShape } from './baseline/workflows.js';
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
  /**
   * Activity attempts beyond the first, per run (mean over the same sample, from ActivityTaskStarted's attempt):
   * the polls that found a provider's answer not there yet. Each costs the server and the worker a task without
   * adding an event, so a saga that retries more than another costs more than its history shows.
   */
  retriesPerRun: number;
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
  const histories = await Promise.all(sample.map((id) => stack.client.workflow.getHandle(id).fetchHistory()));
  const retries = histories.map((h) =>
    (h.events ?? []).reduce((sum, e) => sum + Math.max(0, (e.activityTaskStartedEventAttributes?.attempt ?? 1) - 1), 0),
  );
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    kind,
    runs,
    concurrency,
    seconds,
    perSecond: runs / seconds,
    latency: summarize(latencies),
    historyLength: mean(described.map((d) => d.historyLength)),
    retriesPerRun: mean(retries),
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
    retriesPerRun: (a.retriesPerRun + b.retriesPerRun) / 2,
    stateTransitions: (a.stateTransitions + b.stateTransitions) / 2,
    cpuMsPerRun: perRun(cpu, runs),
    sampleWorkflowId: b.sampleWorkflowId,
  };
}

/** Each half of a comparison, in the order it ran: the ratio must hold in both, not only on their sum. */
export interface Comparison {
  baseline: PhaseResult;
  saga: PhaseResult;
  /** Saga runs per second ÷ baseline runs per second: first half (baseline, saga), second half (saga, baseline). */
  halves: [number, number];
}

/**
 * Baseline and saga at one scale, in the order baseline, saga, saga, baseline (half the runs each time): the
 * Temporal server slows a little as its store grows, and this order gives both kinds the same drift.
 */
export async function comparePhases(
  stack: ProcessStack,
  workload: Workload,
  shape: BaselineShape,
  runs: number,
  concurrency: number,
  /** An A/A run: the saga's phases run the baseline too, so the ratio shows the measurement's own spread. */
  baselineTwice = false,
): Promise<Comparison> {
  const half = Math.ceil(runs / 2);
  const secondPhase = (count: number) =>
    baselineTwice ? baselinePhase(stack, workload, shape, count, concurrency) : sagaPhase(stack, workload, count, concurrency);
  const b1 = await baselinePhase(stack, workload, shape, half, concurrency);
  const s1 = await secondPhase(half);
  const s2 = await secondPhase(runs - half);
  const b2 = await baselinePhase(stack, workload, shape, runs - half, concurrency);
  return { baseline: merge(b1, b2), saga: merge(s1, s2), halves: [s1.perSecond / b1.perSecond, s2.perSecond / b2.perSecond] };
}

/** The sagas the benchmark runs, each as a user starts it through the API. */
export type SagaKind = 'deposit' | 'withdrawal' | 'basket';

/** What the runs of a phase draw on: users with wallets and buying power, and for a basket order the basket. */
export interface Workload {
  kind: SagaKind;
  users: LoadUser[];
  basketId?: string;
}

type Started = { workflowId: string; startedAt: number };

/** How each kind of saga is started as a user starts it, and the status a successful run ends with. */
const sagas: Record<SagaKind, { succeeded: string; start(stack: ProcessStack, workload: Workload, user: LoadUser): Promise<Started> }> = {
  deposit: {
    succeeded: 'broker_funded',
    async start(stack, _workload, user) {
      // The USDC lands on chain before the clock starts: the user's transfer is not fundflow's work.
      const transfer = await stack.sandbox.chainTransfer({ chain: 'ethereum', toAddress: user.address, amount: '10.00' });
      const startedAt = performance.now();
      await submit(stack, user, '/v1/deposits', { chain: 'ethereum', txHash: transfer.txHash });
      return { workflowId: workflowIds.deposit('ethereum', transfer.txHash), startedAt };
    },
  },
  withdrawal: {
    succeeded: 'complete',
    async start(stack, _workload, user) {
      const startedAt = performance.now();
      const key = randomUUID();
      const targetAddress = `0x${key.replaceAll('-', '').padEnd(40, '0')}`;
      const body = { amountUsd: '1.00', targetChain: 'ethereum', targetAddress, passcode: loadPasscode };
      return { workflowId: workflowIds.withdrawal(await submit(stack, user, '/v1/withdrawals', body, key)), startedAt };
    },
  },
  basket: {
    succeeded: 'filled',
    async start(stack, workload, user) {
      const startedAt = performance.now();
      if (!workload.basketId) throw new Error('a basket order workload names its basket');
      const body = { assetType: 'basket', side: 'buy', basketId: workload.basketId, amountUsd: '10.00' };
      return { workflowId: workflowIds.order(await submit(stack, user, '/v1/orders', body, randomUUID())), startedAt };
    },
  },
};

/** One saga run of `workload.kind` by `user`, end to end, checked to have ended as a successful run does. */
async function sagaRun(stack: ProcessStack, workload: Workload, user: LoadUser): Promise<Started> {
  const saga = sagas[workload.kind];
  const started = await saga.start(stack, workload, user);
  const result: unknown = await stack.client.workflow.getHandle(started.workflowId).result();
  // A deposit and a withdrawal answer their status, an order its outcome with one.
  const status = typeof result === 'object' && result !== null && 'status' in result ? result.status : result;
  if (status !== saga.succeeded) throw new Error(`${started.workflowId} ended ${JSON.stringify(result)}, not ${saga.succeeded}`);
  return started;
}

/** POSTs a saga's request as `user` and answers the id of what it started. */
async function submit(stack: ProcessStack, user: LoadUser, path: string, body: unknown, idempotencyKey?: string): Promise<string> {
  const send = () =>
    call(stack, 'POST', path, { token: user.token, body, headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} });
  let reply = await send();
  // 503: the saga did not accept within the API's wait (a saturated Temporal); the API says to repeat, as an app
  // does (the idempotency key or the transaction hash makes it the same request), and the clock keeps running.
  for (let attempt = 1; reply.status === 503 && attempt < 5; attempt++) reply = await send();
  if (reply.status !== 202) throw new Error(`POST ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body.id as string;
}

export function sagaPhase(stack: ProcessStack, workload: Workload, runs: number, concurrency: number): Promise<Measured> {
  return phase(stack, 'saga', runs, concurrency, async (i) => sagaRun(stack, workload, workload.users[i % workload.users.length]!));
}

export function baselinePhase(
  stack: ProcessStack,
  workload: Workload,
  shape: BaselineShape,
  runs: number,
  concurrency: number,
): Promise<Measured> {
  return phase(stack, 'baseline', runs, concurrency, async (i) => {
    const workflowId = `baseline-${randomUUID()}`;
    const startedAt = performance.now();
    const userId = workload.users[i % workload.users.length]!.id;
    const reply = await call(stack, 'POST', '/bench/baseline', { body: { workflowId, input: { userId, kind: workload.kind, ...shape } } });
    if (reply.status !== 202) throw new Error(`POST /bench/baseline answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    await stack.client.workflow.getHandle(workflowId).result();
    return { workflowId, startedAt };
  });
}

/** What encryption adds to a payload's data: nonce, tag and the inner payload's own metadata, about. */
const encryptionOverhead = 40;

/** Bytes of a list of payloads as stored (encrypted), less what encryption added to each. */
const payloadBytes = (payloads: { data?: Uint8Array | null }[] | null | undefined) =>
  (payloads ?? []).reduce((n, p) => n + Math.max(0, (p.data?.length ?? 0) - encryptionOverhead), 0);

/**
 * The commands a finished saga's history shows after its accept activity (activities with the task queue each ran
 * on and the sizes of their inputs and results, search-attribute upserts, timers, in order; activities one
 * workflow task scheduled together as one step): the shape the baseline replays.
 */
export async function sagaShape(stack: ProcessStack, workflowId: string): Promise<BaselineShape> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const workflowQueue = events[0]?.workflowExecutionStartedEventAttributes?.taskQueue?.name ?? '';
  const queueOf = (name: string) => (name === workflowQueue ? 'main' : name.slice(workflowQueue.length + 1)) as ActivityQueue;
  const resultBytes = new Map<number, number>();
  for (const e of events) {
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed) resultBytes.set(Number(completed.scheduledEventId), payloadBytes(completed.result?.payloads));
  }
  const steps: BaselineShape['steps'] = [];
  let accept: ActivityShape | undefined;
  let previousWasActivity = false;
  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    const activity: ActivityShape | undefined = scheduled
      ? {
          queue: queueOf(scheduled.taskQueue?.name ?? workflowQueue),
          inputBytes: payloadBytes(scheduled.input?.payloads),
          resultBytes: resultBytes.get(Number(e.eventId)) ?? 0,
        }
      : undefined;
    const last = steps.at(-1);
    if (activity && !accept) accept = activity;
    else if (activity && previousWasActivity && last && 'activities' in last) last.activities.push(activity);
    else if (activity) steps.push({ activities: [activity] });
    else if (e.upsertWorkflowSearchAttributesEventAttributes) steps.push({ upsert: true });
    else if (e.timerStartedEventAttributes) {
      const timeout = e.timerStartedEventAttributes.startToFireTimeout;
      steps.push({ timerMs: Number(timeout?.seconds ?? 0) * 1000 + Math.round((timeout?.nanos ?? 0) / 1e6) });
    }
    previousWasActivity = Boolean(activity) && accept !== activity;
  }
  return { accept: accept ?? { queue: 'main', inputBytes: 0, resultBytes: 0 }, steps };
}

export const describeShape = (shape: BaselineShape) =>
  shape.steps
    .map((s) =>
      'activities' in s
        ? s.activities.length > 1
          ? `${s.activities.length} activities at once (${s.activities.map((a) => a.queue).join(', ')})`
          : `activity (${s.activities[0]!.queue})`
        : 'upsert' in s
          ? 'upsert'
          : `timer ${s.timerMs} ms`,
    )
    .join(', ');
