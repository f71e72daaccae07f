import type { WorkflowHandle } from '@temporalio/client';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { legClientOrderId } from '../../src/domain/basket.js';
import { cancelOrderSignal, progressQuery, searchAttributes } from '../../workflows/definitions.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { parkedProgress } from '../workflows/support.js';
import { baskets, buyingPower, orderReaches, seedBasketsOnce, startOrder, userWithBuyingPower } from './support.js';
import { operatorDecides } from '../helpers/operator.js';

// The order saga end to end: real Temporal and PostgreSQL, the Alpaca adapter against the sandbox broker. Each
// test asserts rows, balances and the broker's effect counts per client_order_id.

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ name: 'orders' });
  await seedBasketsOnce(stack);
});
afterAll(async () => stack?.stop());
beforeEach(async () => {
  await stack.sandbox.control.clearFaults();
  await stack.sandbox.control.setFills({ partialFillRatio: 1, rejectSymbols: [], fillDelayMs: 20 });
});

const sum = (values: { toString(): string }[]) => values.reduce<Decimal>((total, v) => total.plus(v.toString()), new Decimal(0)).toFixed(2);

/** The attempt on which the (single) scheduled `activityType` activity of the run completed. */
async function attemptsOf(handle: WorkflowHandle, activityType: string): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType);
  expect(scheduled).toHaveLength(1);
  const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled[0]!.eventId));
  return started?.activityTaskStartedEventAttributes?.attempt ?? 0;
}

async function placements(clientOrderId: string) {
  return stack.sandbox.control.effectCount('alpaca', 'createOrder', clientOrderId);
}

describe('buying', () => {
  it('a basket buy fills into positions whose cost adds up to the order', async () => {
    const user = await userWithBuyingPower(stack, '1000.00');
    const basket = baskets.growth;
    const order = await startOrder(stack, { userId: user.id, assetType: 'basket', side: 'buy', amountUsd: '100.01', basketId: basket.id });
    expect(order.result).toEqual({ accepted: true, id: order.orderId });
    expect(await buyingPower(stack, user.id)).toBe('899.99'); // reserved at once

    expect(await order.outcome()).toMatchObject({ status: 'filled', filledAmountUsd: '100.01' });
    const row = await stack.db.order.findUniqueOrThrow({ where: { id: order.orderId }, include: { legs: true } });
    expect(row.status).toBe('filled');
    expect(row.legs.map((l) => l.symbol).sort()).toEqual(basket.composition.map((c) => c.symbol).sort());
    expect(row.legs.every((l) => l.status === 'filled' && l.alpacaOrderRef)).toBe(true);
    expect(sum(row.legs.map((l) => l.notionalUsd!))).toBe('100.01');
    expect(sum(row.legs.map((l) => l.filledAmountUsd))).toBe('100.01');

    const positions = await stack.db.positionCache.findMany({ where: { userId: user.id } });
    expect(positions.map((p) => p.symbol).sort()).toEqual(row.legs.map((l) => l.symbol).sort());
    expect(positions.every((p) => p.assetType === 'basket' && p.quantity.gt(0))).toBe(true);
    expect(sum(positions.map((p) => p.marketValue!))).toBe('100.01');
    expect(await buyingPower(stack, user.id)).toBe('899.99');

    for (const leg of row.legs) expect(await placements(leg.clientOrderId)).toBe(1);
    expect((await order.handle.describe()).typedSearchAttributes.get(searchAttributes.status)).toBe('filled');
  });

  it('an option buy reserves the premium and gives back what the fill did not cost', async () => {
    const user = await userWithBuyingPower(stack, '1000.00');
    const occSymbol = 'AAPL261218C00150000';
    await stack.sandbox.control.setFills({ prices: { [occSymbol]: '1.00' } });
    const order = await startOrder(stack, {
      userId: user.id,
      assetType: 'option',
      side: 'buy',
      optionDetails: { occSymbol, quantity: 2, limitPrice: '1.25' },
    });
    expect(order.result.accepted).toBe(true);
    expect((await stack.db.order.findUniqueOrThrow({ where: { id: order.orderId } })).amountUsd.toFixed(2)).toBe('250.00');

    expect(await order.outcome()).toMatchObject({ status: 'filled', filledAmountUsd: '200.00' });
    const row = await stack.db.order.findUniqueOrThrow({ where: { id: order.orderId } });
    expect(row.alpacaOrderRef).toBeTruthy();
    expect(await buyingPower(stack, user.id)).toBe('800.00');
    const position = await stack.db.positionCache.findUniqueOrThrow({
      where: { userId_symbol_assetType: { userId: user.id, symbol: occSymbol, assetType: 'option' } },
    });
    expect(position.quantity.toFixed()).toBe('2');
    expect(position.marketValue!.toFixed(2)).toBe('200.00');
  });

  it('a buy that buying power does not cover is refused and writes nothing', async () => {
    const user = await userWithBuyingPower(stack, '10.00');
    const order = await startOrder(stack, { userId: user.id, assetType: 'stock', side: 'buy', amountUsd: '10.01', symbol: 'AAPL' });
    expect(order.result).toMatchObject({ accepted: false, refusal: { code: 'insufficient_funds' } });
    expect(await stack.db.order.count({ where: { userId: user.id } })).toBe(0);
    expect(await buyingPower(stack, user.id)).toBe('10.00');
  });
});

describe('partial fills and cancel', () => {
  it('a partial fill followed by cancel ends canceled with the unfilled remainder back in buying power', async () => {
    const user = await userWithBuyingPower(stack, '1000.00');
    await stack.sandbox.control.setFills({ prices: { VTI: '100.00' }, partialFillRatio: 0.5 });
    const order = await startOrder(stack, { userId: user.id, assetType: 'etf', side: 'buy', amountUsd: '50.00', symbol: 'VTI' });
    await orderReaches(stack, order.orderId, 'partially_filled');
    expect(await buyingPower(stack, user.id)).toBe('950.00');

    await order.handle.signal(cancelOrderSignal);
    expect(await order.outcome()).toMatchObject({ status: 'canceled', filledAmountUsd: '25.00' });
    const row = await stack.db.order.findUniqueOrThrow({ where: { id: order.orderId }, include: { legs: true } });
    expect(row.status).toBe('canceled');
    expect(row.legs[0]).toMatchObject({ status: 'canceled' });
    expect(row.legs[0]!.filledQuantity.toFixed()).toBe('0.25');
    expect(await buyingPower(stack, user.id)).toBe('975.00');
    const position = await stack.db.positionCache.findUniqueOrThrow({
      where: { userId_symbol_assetType: { userId: user.id, symbol: 'VTI', assetType: 'etf' } },
    });
    expect(position.quantity.toFixed()).toBe('0.25');
    expect(position.marketValue!.toFixed(2)).toBe('25.00');
  });
});

describe('broker refusals', () => {
  it('an order the broker rejects after accepting it ends failed with the reservation released', async () => {
    const user = await userWithBuyingPower(stack, '500.00');
    await stack.sandbox.control.setFills({ rejectSymbols: ['TSLA'] });
    const order = await startOrder(stack, { userId: user.id, assetType: 'stock', side: 'buy', amountUsd: '120.00', symbol: 'TSLA' });
    expect(await order.outcome()).toMatchObject({ status: 'failed', filledAmountUsd: '0.00' });
    const row = await stack.db.order.findUniqueOrThrow({ where: { id: order.orderId } });
    expect(row.status).toBe('failed');
    expect(row.failureReason).toMatch(/TSLA/);
    expect(await buyingPower(stack, user.id)).toBe('500.00');
    expect(await stack.db.positionCache.count({ where: { userId: user.id } })).toBe(0);
  });

  it('an order the broker refuses to take ends failed with the reason and the reservation released', async () => {
    const user = await userWithBuyingPower(stack, '500.00');
    await stack.sandbox.control.fault({ provider: 'alpaca', operation: 'createOrder', kind: 'reject' });
    const order = await startOrder(stack, { userId: user.id, assetType: 'stock', side: 'buy', amountUsd: '120.00', symbol: 'MSFT' });
    expect(await order.outcome()).toMatchObject({ status: 'failed' });
    const row = await stack.db.order.findUniqueOrThrow({ where: { id: order.orderId }, include: { legs: true } });
    expect(row.failureReason).toMatch(/MSFT: .*insufficient buying power/);
    expect(row.legs[0]).toMatchObject({ status: 'failed', alpacaOrderRef: null });
    expect(await buyingPower(stack, user.id)).toBe('500.00');
  });
});

describe('selling', () => {
  it('a sell without a position is refused as no position to sell', async () => {
    const user = await userWithBuyingPower(stack, '500.00');
    const order = await startOrder(stack, { userId: user.id, assetType: 'stock', side: 'sell', amountUsd: '10.00', symbol: 'NVDA' });
    expect(order.result).toMatchObject({ accepted: false, refusal: { code: 'no_position' } });
    expect(await stack.db.order.count({ where: { userId: user.id } })).toBe(0);
  });

  it('a sell credits its proceeds and reduces the position', async () => {
    const user = await userWithBuyingPower(stack, '500.00');
    await stack.sandbox.control.setFills({ prices: { AMZN: '200.00' } });
    const buy = await startOrder(stack, { userId: user.id, assetType: 'stock', side: 'buy', amountUsd: '100.00', symbol: 'AMZN' });
    expect(await buy.outcome()).toMatchObject({ status: 'filled' });
    expect(await buyingPower(stack, user.id)).toBe('400.00');

    const tooMuch = await startOrder(stack, { userId: user.id, assetType: 'stock', side: 'sell', amountUsd: '100.01', symbol: 'AMZN' });
    expect(tooMuch.result).toMatchObject({ accepted: false, refusal: { code: 'no_position' } });

    const sell = await startOrder(stack, { userId: user.id, assetType: 'stock', side: 'sell', amountUsd: '40.00', symbol: 'AMZN' });
    expect(await sell.outcome()).toMatchObject({ status: 'filled', filledAmountUsd: '40.00' });
    expect(await buyingPower(stack, user.id)).toBe('440.00');
    const position = await stack.db.positionCache.findUniqueOrThrow({
      where: { userId_symbol_assetType: { userId: user.id, symbol: 'AMZN', assetType: 'stock' } },
    });
    expect(position.quantity.toFixed()).toBe('0.3');
    expect(position.marketValue!.toFixed(2)).toBe('60.00');
  });
});

describe('never twice', () => {
  it('a placement whose answer was lost is found again on retry, never placed a second time', async () => {
    const user = await userWithBuyingPower(stack, '500.00');
    // The order reaches the broker but its answer never comes back, and the adapter's own lookup fails too: the
    // activity's next attempt must find the order by its client_order_id instead of placing another.
    await stack.sandbox.control.fault({ provider: 'alpaca', operation: 'createOrder', kind: 'timeout' });
    // (3 = the SDK's own tries of that GET.)
    await stack.sandbox.control.fault({ provider: 'alpaca', operation: 'getOrderByClientOrderId', kind: 'http500', times: 3 });
    const order = await startOrder(stack, { userId: user.id, assetType: 'stock', side: 'buy', amountUsd: '75.00', symbol: 'GOOG' });
    expect(await order.outcome()).toMatchObject({ status: 'filled', filledAmountUsd: '75.00' });
    expect(await attemptsOf(order.handle, 'placeOrderLeg')).toBe(2);
    const clientOrderId = legClientOrderId(order.orderId, 'GOOG');
    expect(await placements(clientOrderId)).toBe(1);
    expect(await buyingPower(stack, user.id)).toBe('425.00');
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('a second run for a finished order changes nothing', async () => {
    const user = await userWithBuyingPower(stack, '500.00');
    const first = await startOrder(stack, { userId: user.id, assetType: 'etf', side: 'buy', amountUsd: '30.00', symbol: 'SPY' });
    await first.outcome();
    const again = await startOrder(stack, {
      orderId: first.orderId,
      userId: user.id,
      assetType: 'etf',
      side: 'buy',
      amountUsd: '30.00',
      symbol: 'SPY',
    });
    expect(again.result).toEqual({ accepted: true, id: first.orderId });
    expect(await again.outcome()).toMatchObject({ status: 'filled' });
    expect(await buyingPower(stack, user.id)).toBe('470.00');
    expect(await placements(legClientOrderId(first.orderId, 'SPY'))).toBe(1);
    expect(
      await stack.db.positionCache.findFirstOrThrow({ where: { userId: user.id, symbol: 'SPY' } }).then((p) => p.marketValue!.toFixed(2)),
    ).toBe('30.00');
  });
});

describe('parked for an operator', () => {
  it('a broker read refused for good parks the order until an operator retries it, then it fills', async () => {
    const user = await userWithBuyingPower(stack, '500.00');
    await stack.sandbox.control.fault({ provider: 'alpaca', operation: 'getOrder', kind: 'reject' });
    const order = await startOrder(stack, { userId: user.id, assetType: 'stock', side: 'buy', amountUsd: '60.00', symbol: 'AMD' });
    const progress = await parkedProgress(order.handle);
    expect(progress.parked).toMatchObject({ step: 'syncOrderLegs' });
    expect((await order.handle.describe()).typedSearchAttributes.get(searchAttributes.needsOperator)).toBe(true);

    await operatorDecides(order.handle, 'retry');
    expect(await order.outcome()).toMatchObject({ status: 'filled', filledAmountUsd: '60.00' });
    expect((await order.handle.query(progressQuery)).parked).toBeUndefined();
    expect((await order.handle.describe()).typedSearchAttributes.get(searchAttributes.needsOperator)).toBe(false);
    expect(await buyingPower(stack, user.id)).toBe('440.00');
  });

  it('an operator abort cancels what is open at the broker and ends failed with the reservation back', async () => {
    const user = await userWithBuyingPower(stack, '500.00');
    await stack.sandbox.control.setFills({ fillDelayMs: 60_000 });
    await stack.sandbox.control.fault({ provider: 'alpaca', operation: 'getOrder', kind: 'reject' });
    const order = await startOrder(stack, { userId: user.id, assetType: 'stock', side: 'buy', amountUsd: '60.00', symbol: 'INTC' });
    await parkedProgress(order.handle);

    await operatorDecides(order.handle, 'abort', 'broker account under review');
    const outcome = await order.outcome();
    expect(outcome).toMatchObject({ status: 'failed', filledAmountUsd: '0.00' });
    const row = await stack.db.order.findUniqueOrThrow({ where: { id: order.orderId }, include: { legs: true } });
    expect(row.failureReason).toMatch(/aborted by an operator at syncOrderLegs/);
    expect(row.legs[0]).toMatchObject({ status: 'canceled' });
    expect(await buyingPower(stack, user.id)).toBe('500.00');
  });
});
