import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { legClientOrderId } from '../../src/domain/basket.js';
import { progressQuery, workflowIds } from '../../workflows/definitions.js';
import { startApi, type Api } from '../api/harness.js';
import { eventually } from '../helpers/eventually.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { apiInvestor, apiOrderReaches, brokerQuantity, buyingPower, cachedQuantity } from './support.js';

// Alpaca cancels asynchronously: DELETE answers 204, the order sits in pending_cancel, may still fill, and only
// then is canceled. An order settles (money back, positions final) only once every leg is terminal AT THE BROKER,
// on the user's cancel and on an operator's abort, and a leg we never heard back from is looked up by its
// client_order_id before it is given up.

let stack: Stack;
let api: Api;
beforeAll(async () => {
  stack = await startStack({ name: 'broker-finish' });
  api = await startApi({ stack });
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});
beforeEach(async () => {
  await stack.sandbox.control.clearFaults();
  // Orders stay open (no fill of their own within a test); a cancel takes a while, and half of the open rest
  // fills on its way.
  await stack.sandbox.control.setFills({
    partialFillRatio: 1,
    rejectSymbols: [],
    fillDelayMs: 600_000,
    fillOnCancelRatio: 0.5,
    cancelDelayMs: 1_000,
  });
});

const buy = (subject: string, symbol: string, amountUsd: string) =>
  api.request('POST', '/v1/orders', { as: subject, body: { assetType: 'stock', side: 'buy', amountUsd, symbol } });

const abort = (orderId: string) =>
  api.request('POST', `/v1/admin/orders/${orderId}/abort`, { as: 'ops', operator: true, body: { note: 'broker account under review' } });

/** The broker's order for this client order id, once it is terminal there. */
function brokerOrderEnded(clientOrderId: string) {
  return eventually(
    () => stack.providers.broker.findOrderByClientId(clientOrderId),
    (o) => ['filled', 'canceled', 'expired', 'rejected'].includes(o.status),
  );
}

/** Waits until the run is parked for an operator or its order row has ended, whichever comes first. */
async function parkedOrEnded(orderId: string): Promise<boolean> {
  const handle = stack.client.workflow.getHandle(workflowIds.order(orderId));
  return eventually(async () => {
    if ((await handle.query(progressQuery)).parked) return true;
    const row = await stack.db.order.findUniqueOrThrow({ where: { id: orderId } });
    return ['failed', 'canceled', 'filled'].includes(row.status) ? false : undefined;
  });
}

describe('orders settle only when the broker is finished', () => {
  it('a user’s cancel waits through pending_cancel and books the fill that arrives before the cancel completes', async () => {
    const symbol = 'PCAN';
    await stack.sandbox.control.setFills({ prices: { [symbol]: '100.00' } });
    const { subject, userId } = await apiInvestor(stack, api, '1000.00');
    const placed = await buy(subject, symbol, '60.00');
    await apiOrderReaches(api, subject, placed.body.id, 'accepted_by_broker');

    expect((await api.request('POST', `/v1/orders/${placed.body.id}/cancel`, { as: subject })).status).toBe(202);
    const canceled = await apiOrderReaches(api, subject, placed.body.id, 'canceled');
    const broker = await brokerOrderEnded(legClientOrderId(placed.body.id, symbol));
    expect(broker).toMatchObject({ status: 'canceled', filledQty: '0.3' });
    expect(canceled).toMatchObject({
      filledAmountUsd: '30.00',
      legs: [expect.objectContaining({ status: 'canceled', filledQuantity: '0.3' })],
    });
    expect(await buyingPower(stack, userId)).toBe('970.00');
    expect(await cachedQuantity(stack, userId, symbol)).toBe('0.3');
    expect(await brokerQuantity(stack, symbol)).toBe('0.3');
  });

  it('an operator abort waits until the broker has finished canceling and books the fill that came in meanwhile', async () => {
    const symbol = 'ABRT';
    await stack.sandbox.control.setFills({ prices: { [symbol]: '100.00' } });
    const { subject, userId } = await apiInvestor(stack, api, '1000.00');
    await stack.sandbox.control.fault({ provider: 'alpaca', operation: 'getOrder', kind: 'reject' });
    const placed = await buy(subject, symbol, '60.00');
    expect(await parkedOrEnded(placed.body.id)).toBe(true);

    expect((await abort(placed.body.id)).status).toBe(202);
    const failed = await apiOrderReaches(api, subject, placed.body.id, 'failed');
    const broker = await brokerOrderEnded(legClientOrderId(placed.body.id, symbol));
    expect(broker).toMatchObject({ status: 'canceled', filledQty: '0.3' });
    // What the broker bought is the user's: booked as a position and paid from the reservation.
    expect(failed).toMatchObject({
      filledAmountUsd: '30.00',
      legs: [expect.objectContaining({ status: 'canceled', filledQuantity: '0.3' })],
    });
    expect(failed.failureReason).toMatch(/aborted by an operator/);
    expect(await buyingPower(stack, userId)).toBe('970.00');
    expect(await cachedQuantity(stack, userId, symbol)).toBe('0.3');
    expect(await brokerQuantity(stack, symbol)).toBe('0.3');
  });

  it('a leg whose placement parked is found at the broker by its client order id: the abort cancels it there and books its fill', async () => {
    const symbol = 'LOST';
    await stack.sandbox.control.setFills({ prices: { [symbol]: '100.00' } });
    const { subject, userId } = await apiInvestor(stack, api, '1000.00');
    // The order reaches the broker but the answer is lost, and every lookup by client_order_id is refused: the
    // placement cannot tell whether the order exists.
    await stack.sandbox.control.fault({ provider: 'alpaca', operation: 'createOrder', kind: 'timeout' });
    await stack.sandbox.control.fault({ provider: 'alpaca', operation: 'getOrderByClientOrderId', kind: 'reject', times: 2 });
    const placed = await buy(subject, symbol, '60.00');
    const clientOrderId = legClientOrderId(placed.body.id, symbol);
    const parked = await parkedOrEnded(placed.body.id);
    if (parked) {
      expect((await stack.client.workflow.getHandle(workflowIds.order(placed.body.id)).query(progressQuery)).parked).toMatchObject({
        step: `placeOrderLeg ${symbol}`,
      });
      expect((await abort(placed.body.id)).status).toBe(202);
    }

    const failed = await apiOrderReaches(api, subject, placed.body.id, 'failed');
    const broker = await brokerOrderEnded(clientOrderId);
    expect(broker).toMatchObject({ status: 'canceled', filledQty: '0.3' });
    expect(await stack.sandbox.control.effectCount('alpaca', 'createOrder', clientOrderId)).toBe(1);
    const leg = await stack.db.orderLeg.findUniqueOrThrow({ where: { clientOrderId } });
    expect(leg.alpacaOrderRef).toBe(broker.id);
    expect(failed).toMatchObject({
      filledAmountUsd: '30.00',
      legs: [expect.objectContaining({ status: 'canceled', filledQuantity: '0.3' })],
    });
    expect(await buyingPower(stack, userId)).toBe('970.00');
    expect(await cachedQuantity(stack, userId, symbol)).toBe('0.3');
    expect(await brokerQuantity(stack, symbol)).toBe('0.3');
    // A refused lookup is no refusal of the order: the placement parked instead of failing the leg.
    expect(parked).toBe(true);
  });
});
