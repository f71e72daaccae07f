import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { dataConverterOf } from '../../src/temporal.js';
import { eventually } from '../helpers/eventually.js';
import { createInvestor, createUser, startStack, type Stack } from '../helpers/stack.js';
import { startOrder } from '../orders/support.js';
import { depositUsdc, provisionWallet } from './support.js';

// Alpaca hangs (every order placement held unanswered for `holdMs`), and enough orders are in flight to take every
// activity slot a worker has. On the provider queues a deposit's Circle steps (confirm, sweep to Mint, payout) do
// not wait for Alpaca: the alpaca queue's worker is full, the circle and main queues' are not. On one queue for
// everything (the worker as it was before the provider queues) the same deposit waits until Alpaca answers.
// The comparison is structural, not a timing threshold: with the slots full, the one-queue deposit cannot start a
// step before an order's placement is answered, and the routed one finishes its Circle steps before either is.

const slots = 2;
const holdMs = 25_000;
const env = {
  WORKER_MAX_CONCURRENT_ACTIVITIES: String(slots),
  // Held calls stay in their slots for the whole hold rather than timing out and retrying.
  PROVIDER_TIMEOUT_MS: String(holdMs + 20_000),
};

let stack: Stack | undefined;
let extra: { worker: Worker; running: Promise<void>; connection: NativeConnection } | undefined;
afterEach(async () => {
  if (extra) {
    extra.worker.shutdown();
    await extra.running;
    await extra.connection.close();
    extra = undefined;
  }
  await stack?.stop();
  stack = undefined;
});

/** The worker as it was before the provider queues: one queue, every activity on it, no routing interceptor. */
async function singleQueueWorker(s: Stack): Promise<void> {
  const connection = await NativeConnection.connect({ address: s.config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: s.config.TEMPORAL_NAMESPACE,
    taskQueue: s.taskQueue,
    workflowsPath: path.resolve(import.meta.dirname, '../../workflows/index.ts'),
    activities: createActivities({ db: s.db, providers: s.providers, config: s.config, logger: s.logger }),
    dataConverter: dataConverterOf(s.config),
    maxConcurrentActivityTaskExecutions: slots,
    maxConcurrentActivityTaskPolls: slots,
  });
  extra = { worker, running: worker.run(), connection };
}

const orderStatus = async (s: Stack, orderId: string) => (await s.db.order.findUniqueOrThrow({ where: { id: orderId } })).status;

/**
 * Fills every Alpaca slot with a held order placement, then reports a deposit; answers how long the deposit took to
 * finish its Circle steps (off_ramp_complete) and the orders' statuses at that moment.
 */
async function depositWhileAlpacaHangs(s: Stack) {
  const user = await createUser(s.db);
  const wallet = await provisionWallet(s, user.id);
  await s.sandbox.control.setFills({ prices: { NFLX: '250.00' } });
  await s.sandbox.control.fault({ provider: 'alpaca', operation: 'createOrder', kind: 'timeout', holdMs, times: slots });
  const orders = [];
  for (let i = 0; i < slots; i++) {
    const investor = await createInvestor(s, '100.00');
    orders.push(await startOrder(s, { userId: investor.id, assetType: 'stock', side: 'buy', amountUsd: '10.00', symbol: 'NFLX' }));
  }
  // Every slot is taken once the sandbox holds `slots` placements: each is an activity waiting for its answer.
  await eventually(async () => ((await s.sandbox.control.faults())[0]?.hits === slots ? true : undefined), undefined, 30_000);

  const started = Date.now();
  const reported = depositUsdc(s, { userId: user.id, address: wallet.address, amount: '20' });
  const { txHash } = await reported;
  await eventually(
    async () => (await s.db.deposit.findUnique({ where: { chain_txHash: { chain: 'ethereum', txHash } } }))?.status,
    (status) => ['off_ramp_complete', 'broker_funded'].includes(status),
    holdMs + 45_000,
  );
  const circleStepsMs = Date.now() - started;
  const orderStatuses = await Promise.all(orders.map((o) => orderStatus(s, o.orderId)));
  return { circleStepsMs, orderStatuses, handle: (await reported).handle, orders };
}

describe('provider task queues', () => {
  it("a deposit's Circle steps run while Alpaca hangs with every Alpaca slot taken, and finish when Alpaca answers", async () => {
    stack = await startStack({ name: 'provider-queues', env });
    expect(stack.workers.map((w) => w.taskQueue)).toEqual(
      ['main', 'circle', 'alpaca', 'openai'].map((r) => (r === 'main' ? stack!.taskQueue : `${stack!.taskQueue}-${r}`)),
    );

    // The same deposit with Alpaca answering, for the normal latency of its Circle steps.
    const user = await createUser(stack.db);
    const wallet = await provisionWallet(stack, user.id);
    const normalStarted = Date.now();
    const normal = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '20' });
    await eventually(
      async () => (await stack!.db.deposit.findUnique({ where: { chain_txHash: { chain: 'ethereum', txHash: normal.txHash } } }))?.status,
      (status) => ['off_ramp_complete', 'broker_funded'].includes(status),
    );
    const normalMs = Date.now() - normalStarted;
    expect(await normal.handle.result()).toBe('broker_funded');

    const hung = await depositWhileAlpacaHangs(stack);
    console.log(
      `provider queues: Circle steps of a deposit ${normalMs} ms with Alpaca answering, ${hung.circleStepsMs} ms with Alpaca held ${holdMs} ms`,
    );
    // Both placements are still unanswered: the deposit did not wait for them.
    expect(hung.orderStatuses).toEqual(['pending', 'pending']);
    // The alpaca queue backs up its own work only: the deposit's broker funding waited, and everything finishes.
    expect(await hung.handle.result()).toBe('broker_funded');
    for (const order of hung.orders) expect(await order.outcome()).toMatchObject({ status: 'filled' });
    // Every provider activity ran on its provider's queue, the database writes on main.
    const scheduled = (await hung.handle.fetchHistory()).events!.flatMap((e) =>
      e.activityTaskScheduledEventAttributes
        ? [[e.activityTaskScheduledEventAttributes.activityType!.name, e.activityTaskScheduledEventAttributes.taskQueue!.name]]
        : [],
    );
    expect(Object.fromEntries(scheduled)).toMatchObject({
      confirmDeposit: `${stack.taskQueue}-circle`,
      startDepositSweep: `${stack.taskQueue}-circle`,
      startDepositOffRamp: `${stack.taskQueue}-circle`,
      startDepositFunding: `${stack.taskQueue}-alpaca`,
      bookDepositSweep: stack.taskQueue,
      markBrokerFunded: stack.taskQueue,
    });
  }, 150_000);

  it('on one queue for everything (the worker before provider queues) the same deposit waits for Alpaca', async () => {
    stack = await startStack({ name: 'one-queue', env, worker: false });
    await singleQueueWorker(stack);
    const hung = await depositWhileAlpacaHangs(stack);
    console.log(`one queue: Circle steps of a deposit ${hung.circleStepsMs} ms with Alpaca held ${holdMs} ms`);
    // Starved: by the time its Circle steps were done, Alpaca had answered the placements that held every slot.
    expect(hung.orderStatuses).not.toContain('pending');
    expect(await hung.handle.result()).toBe('broker_funded');
  }, 150_000);
});
