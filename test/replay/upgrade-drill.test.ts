import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { progressQuery, workflowIds } from '../../workflows/definitions.js';
import { eventually } from '../helpers/eventually.js';
import { operatorDecides } from '../helpers/operator.js';
import { createInvestor, createUser, startStack, type Stack } from '../helpers/stack.js';
import { depositUsdc, parkedProgress, provisionWallet } from '../workflows/support.js';

// The upgrade drill of docs/versioning.md: sagas started and parked (or mid-wait) on the workflow code of the last
// release, then a worker on today's code takes them over; every one must finish, with no workflow task failed
// (a nondeterminism error fails the task and the run stops). The old code is the repository at `releasedCommit`,
// bundled from a `git archive` of its workflow sources; move it forward when a release ships.

/** The workflow code before `poll-by-activity-retry` and `abandoned-keeps-needs-operator`. */
const releasedCommit = process.env.UPGRADE_DRILL_FROM ?? 'e054120';
const repo = path.resolve(import.meta.dirname, '../..');

let stack: Stack;
let oldTree: string;
beforeAll(async () => {
  stack = await startStack({ name: 'upgrade', worker: false });
  oldTree = mkdtempSync(path.join(tmpdir(), 'fundflow-released-'));
  const archive = execFileSync('git', ['archive', releasedCommit, 'workflows', 'src', 'activities'], { cwd: repo });
  execFileSync('tar', ['-x', '-C', oldTree], { input: archive });
  symlinkSync(path.join(repo, 'node_modules'), path.join(oldTree, 'node_modules'));
});
afterAll(async () => {
  await stack?.stop();
  if (oldTree) rmSync(oldTree, { recursive: true, force: true });
});

// Both workers run the bare workflow code on one queue: the drill is about the sagas' own code. (The worker's
// interceptors, src/workflow-code.ts, are another change to workflow code: see docs/versioning.md.)
async function runWorker(workflowsPath: string) {
  const connection = await NativeConnection.connect({ address: stack.config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: stack.config.TEMPORAL_NAMESPACE,
    taskQueue: stack.taskQueue,
    workflowsPath,
    activities: createActivities(stack),
    // Every task after the switch replays the whole history on the new code.
    maxCachedWorkflows: 0,
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

async function failedTasks(handle: WorkflowHandle): Promise<string[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((e) =>
    e.workflowTaskFailedEventAttributes ? [`${handle.workflowId}: ${e.workflowTaskFailedEventAttributes.failure?.message}`] : [],
  );
}

describe('upgrade drill', () => {
  it('sagas parked or waiting on the released workflow code finish on a worker running the current code', async () => {
    const released = await runWorker(path.join(oldTree, 'workflows/index.ts'));

    // A deposit parked at the broker journal, a deposit waiting for its transfer on timers, a withdrawal parked at
    // its on-ramp, an order waiting for its fill.
    const user = await createUser(stack.db);
    const wallet = await provisionWallet(stack, user.id);
    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
    const parkedDeposit = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '5' });
    await parkedProgress(parkedDeposit.handle);

    await stack.sandbox.control.settings({ stepDelayMs: 6_000 });
    const waitingDeposit = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '6' });
    await stack.sandbox.control.settings({ stepDelayMs: 20 });
    await eventually(async () => {
      const events = (await waitingDeposit.handle.fetchHistory()).events ?? [];
      return events.some((e) => e.timerStartedEventAttributes) || undefined;
    });

    const investor = await createInvestor(stack, '100.00');
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'listDeposits', kind: 'reject' });
    const withdrawalId = randomUUID();
    const withdrawal = await stack.accept('withdrawalWorkflow', workflowIds.withdrawal(withdrawalId), {
      withdrawalId,
      userId: investor.id,
      amountUsd: '10.00',
      targetChain: 'ethereum',
      targetAddress: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    });
    await parkedProgress(withdrawal.handle);

    await stack.sandbox.control.setFills({ prices: { UPGR: '10.00' }, fillDelayMs: 8_000 });
    const orderId = randomUUID();
    const order = await stack.accept('orderWorkflow', workflowIds.order(orderId), {
      orderId,
      userId: investor.id,
      assetType: 'stock',
      side: 'buy',
      amountUsd: '20.00',
      symbol: 'UPGR',
    });
    await eventually(async () => {
      const events = (await order.handle.fetchHistory()).events ?? [];
      return events.some((e) => e.timerStartedEventAttributes) || undefined;
    });

    // The release: the old worker drains and stops, a worker on the current code takes over the same queue.
    await released.stop();
    const current = await runWorker(path.resolve(repo, 'workflows/index.ts'));
    try {
      await operatorDecides(parkedDeposit.handle, 'retry');
      await operatorDecides(withdrawal.handle, 'retry');
      expect(await parkedDeposit.handle.result()).toBe('broker_funded');
      expect(await waitingDeposit.handle.result()).toBe('broker_funded');
      expect(await withdrawal.handle.result()).toBe('complete');
      expect(await order.handle.result()).toMatchObject({ status: 'filled' });
      const handles = [parkedDeposit.handle, waitingDeposit.handle, withdrawal.handle, order.handle];
      expect((await Promise.all(handles.map(failedTasks))).flat()).toEqual([]);
      for (const handle of handles) expect((await handle.query(progressQuery)).parked).toBeUndefined();
    } finally {
      await stack.sandbox.control.setFills({ fillDelayMs: 20 });
      await current.stop();
    }
  }, 120_000);
});
