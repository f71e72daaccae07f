import { afterAll, expect, it } from 'vitest';
import { act, type Action, type Submitted } from '../../chaos/workload.js';
import { verify } from '../../chaos/verify.js';
import { createLoadUsers } from '../../scripts/lib/fixtures.js';
import { startProcessStack, type ProcessStack } from '../../scripts/lib/stack.js';
import { progressQuery } from '../../workflows/definitions.js';

// Two worker processes and two API processes against one Temporal server and one PostgreSQL database, the way
// replicas are deployed (scripts/lib/stack.ts, as bench and chaos run the stack). A load of deposits (USDC sent in
// the sandbox, reported through the API), withdrawals and buys goes to both APIs; once 12 of the 30 were accepted,
// one worker and one API are SIGKILLed; requests go on to the surviving API and to the killed one once it is started
// again. Every saga completes, exactly once at the providers, and both workers did a share of the activities
// before the kill (by the identity Temporal records on each started activity: `<pid>@<host>`).

const actions = 30;
const loadMs = 12_000;
const killAfter = 12;

let stack: ProcessStack | undefined;
afterAll(async () => stack?.stop(), 60_000);

const mix: readonly Action[] = ['deposit', 'deposit', 'withdrawal', 'stock-buy'];

it('two workers and two APIs share the load; one of each SIGKILLed mid-load loses no saga', async () => {
  stack = await startProcessStack({
    name: 'replicas',
    workers: 2,
    apis: 2,
    env: { SANDBOX_STEP_DELAY_MS: '50', PROVIDER_TIMEOUT_MS: '5000', SANDBOX_TIMEOUT_HOLD_MS: '6000' },
  });
  const s = stack;
  const users = await createLoadUsers(s, 6, { buyingPowerUsd: '500.00' });
  const workerPids = s.pids();
  const pidOf = { worker: workerPids.worker!, worker2: workerPids.worker2! };

  // Each request goes to a live API, alternating while both are up; a retry picks again.
  const apiUp = [true, true];
  let turn = 0;
  const client = {
    ...s,
    get apiUrl() {
      const live = s.apiUrls.filter((_, i) => apiUp[i]);
      return live[turn++ % live.length]!;
    },
  } as ProcessStack;

  const submitted: Submitted[] = [];
  const refused: string[] = [];
  let killedAt = 0;
  const started = Date.now();
  // Mid-load: once `killAfter` sagas were accepted (so both workers had work), one worker and one API go.
  const killer = (async () => {
    while (submitted.length < killAfter) await new Promise((r) => setTimeout(r, 100));
    apiUp[1] = false;
    await Promise.all([s.killWorker(1), s.killApi(1)]);
    // Taken once both have exited: whatever the second worker started, it started before this.
    killedAt = Date.now();
    await s.startApi(1);
    apiUp[1] = true;
  })();
  await Promise.all(
    Array.from({ length: actions }, async (_, i) => {
      await new Promise((r) => setTimeout(r, (i * loadMs) / actions));
      const action = mix[i % mix.length]!;
      const usd = action === 'deposit' ? '25.00' : action === 'withdrawal' ? '5.00' : '10.00';
      const outcome = await act({ stack: client, basketId: '' }, action, users[i % users.length]!, usd, `replicas-${i}`);
      submitted.push(...outcome.submitted);
      refused.push(...outcome.refused.map((r) => `${r.kind} ${r.status} ${r.detail}`), ...outcome.violations);
    }),
  );
  await killer;
  const loadSeconds = (Date.now() - started) / 1000;
  expect(refused).toEqual([]);
  expect(submitted).toHaveLength(actions);

  // Every saga ends: the surviving worker takes over the killed one's runs (its lost activity attempts come back
  // when their start-to-close timeout passes: up to a minute for a provider call). A wait whose polls found nothing
  // several times sleeps up to pollRetry's 5-minute interval before its next look (CI, session 6: one deposit still
  // at confirmed_on_chain after 180 s on a machine running the whole suite), so the bound is that plus a timeout.
  const unfinished = async () => {
    const open = [];
    for (const saga of submitted) {
      const handle = s.client.workflow.getHandle(saga.workflowId);
      if ((await handle.describe()).status.name !== 'COMPLETED')
        open.push({ workflowId: saga.workflowId, progress: await handle.query(progressQuery).catch(String) });
    }
    return open;
  };
  await expect.poll(unfinished, { timeout: 390_000, interval: 1_000 }).toEqual([]);
  const doneSeconds = (Date.now() - started) / 1000;
  const checks = await verify(s, submitted);
  expect(checks.filter((c) => c.violations.length > 0)).toEqual([]);

  // Who ran what: each ActivityTaskStarted event names the worker process that took the task.
  const started_: { identity: string; at: number }[] = [];
  for (const saga of submitted) {
    const history = await s.client.workflow.getHandle(saga.workflowId).fetchHistory();
    for (const event of history.events ?? []) {
      const identity = event.activityTaskStartedEventAttributes?.identity;
      if (identity)
        started_.push({ identity, at: Number(event.eventTime!.seconds) * 1000 + Math.floor((event.eventTime!.nanos ?? 0) / 1e6) });
    }
  }
  const count = (pid: number, before = Infinity) => started_.filter((e) => e.identity.startsWith(`${pid}@`) && e.at < before).length;
  const shares = {
    worker: { beforeKill: count(pidOf.worker, killedAt), total: count(pidOf.worker) },
    worker2: { beforeKill: count(pidOf.worker2, killedAt), total: count(pidOf.worker2) },
  };
  console.log(
    `replicas: ${submitted.length} sagas (${actions} requests over ${loadSeconds.toFixed(1)} s, all done at ${doneSeconds.toFixed(1)} s); ` +
      `activities started by worker ${JSON.stringify(shares.worker)}, worker2 (killed) ${JSON.stringify(shares.worker2)} of ${started_.length}`,
  );
  expect(shares.worker.beforeKill).toBeGreaterThan(0);
  expect(shares.worker2.beforeKill).toBeGreaterThan(0);
  // After its SIGKILL the second worker took nothing more: the first finished everything it left.
  expect(shares.worker2.total).toBe(shares.worker2.beforeKill);
  expect(shares.worker.total + shares.worker2.total).toBe(started_.length);
}, 720_000);
