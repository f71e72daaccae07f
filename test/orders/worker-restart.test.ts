import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, repoRoot, waitForPort } from '../../scripts/lib/tools.js';
import { legClientOrderId } from '../../src/domain/basket.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { eventually } from '../helpers/eventually.js';
import { buyingPower, orderReaches, startOrder, userWithBuyingPower } from './support.js';

// The worker process is killed (SIGKILL, no goodbye) after the order reached the broker and before its fill was
// booked; another worker process finishes it from the history: the leg is never placed again and the fill is
// booked once.

let stack: Stack;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  stack = await startStack({ name: 'orders-restart', worker: false });
});
afterAll(async () => {
  for (const child of workers) child.kill('SIGKILL');
  await stack?.stop();
});

async function startWorkerProcess(): Promise<ChildProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: stack.config.DATABASE_URL,
    DATABASE_POOL_SIZE: '4',
    TEMPORAL_ADDRESS: stack.config.TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    WORKER_HTTP_PORT: String(port),
    WORKER_SDK_METRICS_PORT: '0',
    CIRCLE_WALLETS_BASE_URL: stack.sandbox.url,
    CIRCLE_MINT_BASE_URL: stack.sandbox.url,
    ALPACA_TRADING_BASE_URL: stack.sandbox.url,
    ALPACA_BROKER_BASE_URL: stack.sandbox.url,
    OPENAI_BASE_URL: `${stack.sandbox.url}/v1`,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker.ts'], { cwd: repoRoot, env, stdio: 'ignore' });
  workers.push(child);
  await waitForPort(port);
  // Ready once it answers: the workflow bundle is built and the worker polls.
  await eventually(
    async () => ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined),
    undefined,
    60_000,
  );
  return child;
}

it('an order whose worker is killed mid-order finishes on another worker, placed once and booked once', async () => {
  const user = await userWithBuyingPower(stack, '300.00');
  await stack.sandbox.control.setFills({ prices: { NFLX: '250.00' }, fillDelayMs: 4_000 });

  const first = await startWorkerProcess();
  const order = await startOrder(stack, { userId: user.id, assetType: 'stock', side: 'buy', amountUsd: '100.00', symbol: 'NFLX' });
  expect(order.result.accepted).toBe(true);
  await orderReaches(stack, order.orderId, 'accepted_by_broker');
  const exited = new Promise((resolve) => first.once('exit', resolve));
  first.kill('SIGKILL');
  await exited;

  await startWorkerProcess();
  expect(await order.outcome()).toMatchObject({ status: 'filled', filledAmountUsd: '100.00' });
  expect(await stack.sandbox.control.effectCount('alpaca', 'createOrder', legClientOrderId(order.orderId, 'NFLX'))).toBe(1);
  expect(await buyingPower(stack, user.id)).toBe('200.00');
  const position = await stack.db.positionCache.findUniqueOrThrow({
    where: { userId_symbol_assetType: { userId: user.id, symbol: 'NFLX', assetType: 'stock' } },
  });
  expect(position.quantity.toFixed()).toBe('0.4');
  expect(position.marketValue!.toFixed(2)).toBe('100.00');
}, 120_000);
