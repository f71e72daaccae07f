import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAlpacaBroker } from '../../src/providers/alpaca/broker.js';
import { idempotencyUuid } from '../../src/providers/idempotency.js';
import type { BrokerPort } from '../../src/providers/ports.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { eventually } from '../helpers/eventually.js';
import { providerError } from './support.js';

// Alpaca: orders, account and positions through the official Trading SDK (v4, origin rewritten to the
// sandbox), funding journals through our Broker API client.

let sandbox: TestSandbox;
let broker: BrokerPort;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  broker = createAlpacaBroker(sandbox.config());
  // The sandbox's accounts start empty: wire the firm's own money in from outside, so journals and buys have cash.
  await sandbox.control.brokerWire({ account: 'firm', amountUsd: '1000.00' });
  await sandbox.control.brokerWire({ account: 'trading', amountUsd: '100000.00' });
});
afterEach(async () => {
  await sandbox.control.clearFaults();
  await sandbox.control.setFills({ partialFillRatio: 1, rejectSymbols: [] });
});
afterAll(() => sandbox.stop());

const key = (step: string) => `test-${randomUUID()}:${step}`;
const clientOrderId = () => `order-${randomUUID()}`;

describe('Alpaca adapter: funding', () => {
  it('funds the brokerage account from the firm account and sees the cash arrive', async () => {
    const before = await broker.getAccount();
    const journal = await broker.fund({ amountUsd: '250.00', idempotencyKey: key('fund') });
    expect(journal).toMatchObject({ status: 'pending', amountUsd: '250.00' });

    expect(
      await eventually(
        () => broker.getTransfer(journal.id),
        (t) => t.status !== 'pending',
      ),
    ).toMatchObject({ status: 'complete' });
    const after = await broker.getAccount();
    expect(new Decimal(after.cashUsd).minus(before.cashUsd).toFixed(2)).toBe('250.00');
    expect(after).toMatchObject({ status: 'ACTIVE' });
  });

  it('moves money once when funding is retried, also after a timeout', async () => {
    const idempotencyKey = key('fund');
    await sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'timeout' });
    expect(await providerError(broker.fund({ amountUsd: '10.00', idempotencyKey }))).toMatchObject({ kind: 'timeout', retryable: true });

    const first = await broker.fund({ amountUsd: '10.00', idempotencyKey });
    const again = await broker.fund({ amountUsd: '10.00', idempotencyKey });
    expect(again.id).toBe(first.id);
    expect(await sandbox.control.effectCount('alpaca-broker', 'createJournal', idempotencyUuid(idempotencyKey))).toBe(1);
  });

  it('refuses the same key for another amount as a conflict', async () => {
    const idempotencyKey = key('fund');
    await broker.fund({ amountUsd: '1.00', idempotencyKey });
    expect(await providerError(broker.fund({ amountUsd: '2.00', idempotencyKey }))).toMatchObject({
      kind: 'conflict',
      retryable: false,
      details: { status: 422 },
    });
  });

  it('withdraws from the brokerage account back to the firm account', async () => {
    const journal = await broker.withdraw({ amountUsd: '30.00', idempotencyKey: key('withdraw') });
    expect(
      await eventually(
        () => broker.getTransfer(journal.id),
        (t) => t.status !== 'pending',
      ),
    ).toMatchObject({ status: 'complete', amountUsd: '30.00' });
  });

  it('reports a withdrawal larger than the account as a rejection', async () => {
    const { buyingPowerUsd } = await broker.getAccount();
    const tooMuch = new Decimal(buyingPowerUsd).plus('0.01').toFixed(2);
    expect(await providerError(broker.withdraw({ amountUsd: tooMuch, idempotencyKey: key('withdraw') }))).toMatchObject({
      kind: 'rejected',
      retryable: false,
      details: { status: 403 },
    });
    expect((await broker.getAccount()).buyingPowerUsd).toBe(buyingPowerUsd);
  });

  it('turns faults on funding into the matching error kinds', async () => {
    await sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
    expect(await providerError(broker.fund({ amountUsd: '1.00', idempotencyKey: key('fund') }))).toMatchObject({ kind: 'rejected' });
    await sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'http500' });
    expect(await providerError(broker.withdraw({ amountUsd: '1.00', idempotencyKey: key('withdraw') }))).toMatchObject({
      kind: 'unavailable',
      retryable: true,
    });
    // GETs are retried inside the client (twice), so three faults are needed to see the failure.
    await sandbox.control.fault({ provider: 'alpaca-broker', operation: 'getJournal', kind: 'http500', times: 3 });
    expect(await providerError(broker.getTransfer(randomUUID()))).toMatchObject({ kind: 'unavailable' });
    expect(await providerError(broker.getTransfer(randomUUID()))).toMatchObject({ kind: 'not_found' });
  });
});

describe('Alpaca adapter: orders', () => {
  it('fills a dollar-amount buy at the configured price and shows the position', async () => {
    await sandbox.control.setFills({ prices: { MSFT: '400.00' } });
    const order = await broker.placeOrder({
      clientOrderId: clientOrderId(),
      symbol: 'MSFT',
      side: 'buy',
      notional: '100.00',
      type: 'market',
    });
    expect(order).toMatchObject({ symbol: 'MSFT', side: 'buy', notional: '100.00', filledQty: '0' });

    const filled = await eventually(
      () => broker.getOrder(order.id),
      (o) => o.status === 'filled',
    );
    expect(filled).toMatchObject({ status: 'filled', filledQty: '0.25', filledAvgPrice: '400.00' });
    const position = (await broker.listPositions()).find((p) => p.symbol === 'MSFT');
    expect(position).toMatchObject({ qty: '0.25', marketValue: '100.00' });
  });

  it('finds an order by its client order id, and nothing for an unknown one', async () => {
    const id = clientOrderId();
    const order = await broker.placeOrder({ clientOrderId: id, symbol: 'AAPL', side: 'buy', qty: '1', type: 'market' });
    expect(await broker.findOrderByClientId(id)).toMatchObject({ id: order.id, clientOrderId: id });
    expect(await broker.findOrderByClientId(clientOrderId())).toBeUndefined();
  });

  it('places an order once when the answer times out: the retry finds the first order', async () => {
    const id = clientOrderId();
    await sandbox.control.fault({ provider: 'alpaca', operation: 'createOrder', kind: 'timeout' });
    const order = await broker.placeOrder({ clientOrderId: id, symbol: 'NVDA', side: 'buy', notional: '50.00', type: 'market' });
    expect(order.clientOrderId).toBe(id);

    const again = await broker.placeOrder({ clientOrderId: id, symbol: 'NVDA', side: 'buy', notional: '50.00', type: 'market' });
    expect(again.id).toBe(order.id);
    expect(await sandbox.control.effectCount('alpaca', 'createOrder', id)).toBe(1);
  });

  it('reports an outage on placement as retryable when no order was placed', async () => {
    const id = clientOrderId();
    await sandbox.control.fault({ provider: 'alpaca', operation: 'createOrder', kind: 'http500' });
    expect(
      await providerError(broker.placeOrder({ clientOrderId: id, symbol: 'AMZN', side: 'buy', qty: '1', type: 'market' })),
    ).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(await broker.findOrderByClientId(id)).toBeUndefined();
  });

  it('reports insufficient buying power as a rejection', async () => {
    await sandbox.control.fault({ provider: 'alpaca', operation: 'createOrder', kind: 'reject' });
    expect(
      await providerError(broker.placeOrder({ clientOrderId: clientOrderId(), symbol: 'AAPL', side: 'buy', qty: '1', type: 'market' })),
    ).toMatchObject({ kind: 'rejected', retryable: false, details: { status: 403 } });
  });

  it('refuses to sell what the account does not hold', async () => {
    expect(
      await providerError(broker.placeOrder({ clientOrderId: clientOrderId(), symbol: 'ZZZZ', side: 'sell', qty: '1', type: 'market' })),
    ).toMatchObject({ kind: 'rejected' });
  });

  it('refuses an order with both qty and notional as an invalid request', async () => {
    expect(
      await providerError(
        broker.placeOrder({ clientOrderId: clientOrderId(), symbol: 'AAPL', side: 'buy', qty: '1', notional: '10', type: 'market' }),
      ),
    ).toMatchObject({ kind: 'invalid_request', details: { status: 422 } });
  });

  it('places a whole-contract limit order on an OCC option symbol and refuses a fractional one', async () => {
    await sandbox.control.setFills({ prices: { AAPL250620C00150000: '2.50' } });
    const order = await broker.placeOrder({
      clientOrderId: clientOrderId(),
      symbol: 'AAPL250620C00150000',
      side: 'buy',
      qty: '2',
      type: 'limit',
      limitPrice: '3.00',
    });
    expect(
      await eventually(
        () => broker.getOrder(order.id),
        (o) => o.status === 'filled',
      ),
    ).toMatchObject({ filledQty: '2', filledAvgPrice: '2.50', limitPrice: '3.00' });
    expect(
      await providerError(
        broker.placeOrder({
          clientOrderId: clientOrderId(),
          symbol: 'AAPL250620C00150000',
          side: 'buy',
          qty: '1.5',
          type: 'limit',
          limitPrice: '3.00',
        }),
      ),
    ).toMatchObject({ kind: 'invalid_request' });
  });

  it('cancels the unfilled rest of a partially filled order: a request that goes through pending_cancel', async () => {
    await sandbox.control.setFills({ partialFillRatio: 0.5, prices: { TSLA: '200.00' } });
    const order = await broker.placeOrder({ clientOrderId: clientOrderId(), symbol: 'TSLA', side: 'buy', qty: '4', type: 'market' });
    await eventually(
      () => broker.getOrder(order.id),
      (o) => o.status === 'partially_filled',
    );
    await broker.cancelOrder(order.id);
    expect(await broker.getOrder(order.id)).toMatchObject({ status: 'pending_cancel', filledQty: '2' });
    // Already being canceled: not cancelable again.
    expect(await providerError(broker.cancelOrder(order.id))).toMatchObject({
      kind: 'rejected',
      retryable: false,
      details: { status: 422 },
    });
    expect(
      await eventually(
        () => broker.getOrder(order.id),
        (o) => o.status !== 'pending_cancel',
      ),
    ).toMatchObject({ status: 'canceled', filledQty: '2' });
    expect(await providerError(broker.cancelOrder(order.id))).toMatchObject({ kind: 'rejected', retryable: false });
  });

  it('an order being canceled can still fill; a filled order is not cancelable', async () => {
    // Each step of the cancel lasts a second, so the poll sees pending_cancel between the fill and the end even on
    // a loaded machine (one 40 ms step was shorter than a poll).
    await sandbox.control.setFills({ fillDelayMs: 60_000, fillOnCancelRatio: 0.5, cancelDelayMs: 1_000, prices: { ROKU: '50.00' } });
    try {
      const order = await broker.placeOrder({ clientOrderId: clientOrderId(), symbol: 'ROKU', side: 'buy', qty: '3', type: 'market' });
      await broker.cancelOrder(order.id);
      const filling = await eventually(
        () => broker.getOrder(order.id),
        (o) => o.filledQty !== '0',
      );
      expect(filling).toMatchObject({ status: 'pending_cancel', filledQty: '1.5', filledAvgPrice: '50.00' });
      expect(
        await eventually(
          () => broker.getOrder(order.id),
          (o) => o.status !== 'pending_cancel',
        ),
      ).toMatchObject({ status: 'canceled', filledQty: '1.5' });

      await sandbox.control.setFills({ fillDelayMs: 0 });
      const filled = await broker.placeOrder({ clientOrderId: clientOrderId(), symbol: 'ROKU', side: 'buy', qty: '1', type: 'market' });
      await eventually(
        () => broker.getOrder(filled.id),
        (o) => o.status === 'filled',
      );
      expect(await providerError(broker.cancelOrder(filled.id))).toMatchObject({ kind: 'rejected', details: { status: 422 } });
    } finally {
      await sandbox.control.setFills({ fillDelayMs: 20, fillOnCancelRatio: 0, cancelDelayMs: 40 }); // 40: the sandbox's step delay
    }
  });

  it('reads one position with the broker’s current price, and nothing for a symbol the account does not hold', async () => {
    await sandbox.control.setFills({ prices: { SHOP: '80.00' } });
    const order = await broker.placeOrder({ clientOrderId: clientOrderId(), symbol: 'SHOP', side: 'buy', qty: '2', type: 'market' });
    await eventually(
      () => broker.getOrder(order.id),
      (o) => o.status === 'filled',
    );
    await sandbox.control.setFills({ prices: { SHOP: '90.00' } });
    expect(await broker.getPosition('SHOP')).toMatchObject({ symbol: 'SHOP', qty: '2', currentPrice: '90.00', marketValue: '180.00' });
    expect(await broker.getPosition('NOPE')).toBeUndefined();
    await sandbox.control.fault({ provider: 'alpaca', operation: 'getPosition', kind: 'http500', times: 3 });
    expect(await providerError(broker.getPosition('SHOP'))).toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('shows an order the broker rejects after accepting it', async () => {
    await sandbox.control.setFills({ rejectSymbols: ['GME'] });
    const order = await broker.placeOrder({ clientOrderId: clientOrderId(), symbol: 'GME', side: 'buy', qty: '1', type: 'market' });
    expect(
      await eventually(
        () => broker.getOrder(order.id),
        (o) => o.status !== 'new',
      ),
    ).toMatchObject({ status: 'rejected', filledQty: '0' });
  });

  it('turns outages on reads into retryable failures after the SDK has retried', async () => {
    await sandbox.control.fault({ provider: 'alpaca', operation: 'getOrder', kind: 'http500', times: 3 });
    await sandbox.control.fault({ provider: 'alpaca', operation: 'listPositions', kind: 'http500', times: 3 });
    await sandbox.control.fault({ provider: 'alpaca', operation: 'getAccount', kind: 'timeout' });
    await sandbox.control.fault({ provider: 'alpaca', operation: 'cancelOrder', kind: 'http500' });
    await sandbox.control.fault({ provider: 'alpaca', operation: 'getOrderByClientOrderId', kind: 'http500', times: 3 });
    expect(await providerError(broker.getOrder(randomUUID()))).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(await providerError(broker.listPositions())).toMatchObject({ kind: 'unavailable' });
    expect(await providerError(broker.getAccount())).toMatchObject({ kind: 'timeout', retryable: true });
    expect(await providerError(broker.cancelOrder(randomUUID()))).toMatchObject({ kind: 'unavailable' });
    expect(await providerError(broker.findOrderByClientId(clientOrderId()))).toMatchObject({ kind: 'unavailable' });
  });

  it('retries a read through one transient outage without failing', async () => {
    await sandbox.control.fault({ provider: 'alpaca', operation: 'listPositions', kind: 'http500', times: 1 });
    expect(Array.isArray(await broker.listPositions())).toBe(true);
  });

  it('reports unknown orders as not found and wrong keys as auth', async () => {
    expect(await providerError(broker.getOrder(randomUUID()))).toMatchObject({ kind: 'not_found' });
    const wrong = createAlpacaBroker(sandbox.config({ ALPACA_SECRET_KEY: 'wrong', ALPACA_BROKER_SECRET: 'wrong' }));
    expect(await providerError(wrong.getAccount())).toMatchObject({ kind: 'auth', retryable: false, details: { status: 401 } });
    expect(await providerError(wrong.getTransfer(randomUUID()))).toMatchObject({ kind: 'auth' });
  });
});
