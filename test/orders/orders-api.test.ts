import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seed, seedBaskets } from '../../src/db/seed.js';
import { registerUser, startApi, uniqueSubject, type Api } from '../api/harness.js';
import { grantBuyingPower, startStack, type Stack } from '../helpers/stack.js';
import { eventually } from '../helpers/eventually.js';
import { baskets, buyingPower } from './support.js';

// The order routes over HTTP, with the saga running on a real worker: what the app sees (202 with the order,
// problems for refusals) and what each request leaves in the database.

let stack: Stack;
let api: Api;
beforeAll(async () => {
  stack = await startStack({ name: 'orders-api' });
  api = await startApi({ config: stack.config });
  await seed(stack.db);
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});
beforeEach(async () => {
  await stack.sandbox.control.clearFaults();
  await stack.sandbox.control.setFills({ partialFillRatio: 1, rejectSymbols: [], fillDelayMs: 20 });
});

/** A registered, KYC-approved user with buying power. */
async function investor(buyingPowerUsd = '1000.00', kycStatus: 'approved' | 'pending' = 'approved') {
  const subject = uniqueSubject('investor');
  const userId = await registerUser(api, subject);
  await stack.db.user.update({ where: { id: userId }, data: { kycStatus } });
  await grantBuyingPower(stack, userId, buyingPowerUsd);
  return { subject, userId };
}

const ordersOf = (userId: string) => stack.db.order.count({ where: { userId } });

async function orderReaches(subject: string, id: string, status: string) {
  return eventually(async () => {
    const reply = await api.request('GET', `/v1/orders/${id}`, { as: subject });
    return reply.body.status === status ? reply.body : undefined;
  });
}

describe('GET /v1/baskets', () => {
  it('lists the active baskets of every risk level with weights that add up to 1, however often the seed runs', async () => {
    await seed(stack.db);
    const { subject } = await investor();
    const reply = await api.request('GET', '/v1/baskets', { as: subject });
    expect(reply.status).toBe(200);
    const seeded = reply.body.items.filter((b: { id: string }) => seedBaskets.some((s) => s.id === b.id));
    expect(seeded).toHaveLength(3);
    expect(new Set(seeded.map((b: { riskLevel: string }) => b.riskLevel))).toEqual(new Set(['conservative', 'balanced', 'growth']));
    expect(reply.body.items.find((b: { id: string }) => b.id === baskets.growth.id)).toEqual({
      id: baskets.growth.id,
      name: baskets.growth.name,
      description: baskets.growth.description,
      riskLevel: 'growth',
      composition: baskets.growth.composition,
    });
    expect(await stack.db.basket.count({ where: { id: { in: seedBaskets.map((b) => b.id) } } })).toBe(3);
  });
});

describe('POST /v1/orders', () => {
  it('a basket buy answers 202 pending, then fills, and its positions appear', async () => {
    const { subject, userId } = await investor();
    const reply = await api.request('POST', '/v1/orders', {
      as: subject,
      body: { assetType: 'basket', side: 'buy', amountUsd: '250.00', basketId: baskets.balanced.id },
    });
    expect(reply.status).toBe(202);
    expect(reply.headers.get('location')).toBe(`/v1/orders/${reply.body.id}`);
    expect(reply.body).toMatchObject({
      assetType: 'basket',
      side: 'buy',
      amountUsd: '250.00',
      basketId: baskets.balanced.id,
      symbol: null,
    });
    expect(reply.body.legs.map((l: { notionalUsd: string }) => l.notionalUsd).sort()).toEqual(['100.00', '100.00', '50.00']);
    expect(await buyingPower(stack, userId)).toBe('750.00');

    const filled = await orderReaches(subject, reply.body.id, 'filled');
    expect(filled.filledAmountUsd).toBe('250.00');
    expect(filled.legs.every((l: { status: string }) => l.status === 'filled')).toBe(true);

    const positions = await api.request('GET', '/v1/positions', { as: subject });
    expect(positions.body.items.map((p: { symbol: string }) => p.symbol).sort()).toEqual(['BND', 'VTI', 'VXUS']);
    const list = await api.request('GET', '/v1/orders', { as: subject });
    expect(list.body.items.map((o: { id: string }) => o.id)).toEqual([reply.body.id]);
  });

  it('answers 400 for an order whose fields do not fit its asset type, and writes nothing', async () => {
    const { subject, userId } = await investor();
    const option = { occSymbol: 'AAPL261218C00150000', quantity: 2, limitPrice: '1.25' };
    for (const body of [
      { assetType: 'basket', side: 'buy', amountUsd: '10.00' },
      { assetType: 'basket', side: 'buy', amountUsd: '10.00', basketId: baskets.growth.id, symbol: 'VTI' },
      { assetType: 'stock', side: 'buy', amountUsd: '10.00' },
      { assetType: 'stock', side: 'buy', amountUsd: '10.001', symbol: 'AAPL' },
      { assetType: 'stock', side: 'hold', amountUsd: '10.00', symbol: 'AAPL' },
      { assetType: 'option', side: 'buy', optionDetails: { ...option, occSymbol: 'AAPL 261218C00150000' } },
      { assetType: 'option', side: 'buy', optionDetails: { ...option, quantity: 1.5 } },
      { assetType: 'option', side: 'buy', amountUsd: '100.00', optionDetails: option },
    ]) {
      const reply = await api.request('POST', '/v1/orders', { as: subject, body });
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect(await ordersOf(userId)).toBe(0);
  });

  it('is 403 before KYC is approved', async () => {
    const { subject, userId } = await investor('1000.00', 'pending');
    const reply = await api.request('POST', '/v1/orders', {
      as: subject,
      body: { assetType: 'etf', side: 'buy', amountUsd: '10.00', symbol: 'VTI' },
    });
    expect(reply.status).toBe(403);
    expect(await ordersOf(userId)).toBe(0);
  });

  it('is 422 for a sell without a position and for a buy beyond buying power, and writes nothing', async () => {
    const { subject, userId } = await investor('20.00');
    const sell = await api.request('POST', '/v1/orders', {
      as: subject,
      body: { assetType: 'stock', side: 'sell', amountUsd: '10.00', symbol: 'AAPL' },
    });
    expect(sell.status).toBe(422);
    expect(sell.body).toMatchObject({ title: 'No position to sell', status: 422 });
    const buy = await api.request('POST', '/v1/orders', {
      as: subject,
      body: { assetType: 'stock', side: 'buy', amountUsd: '20.01', symbol: 'AAPL' },
    });
    expect(buy.status).toBe(422);
    expect(buy.body.title).toBe('Insufficient buying power');
    const small = await api.request('POST', '/v1/orders', {
      as: subject,
      body: { assetType: 'basket', side: 'buy', amountUsd: '2.00', basketId: baskets.growth.id },
    });
    expect(small.status).toBe(422);
    expect(await ordersOf(userId)).toBe(0);
    expect(await buyingPower(stack, userId)).toBe('20.00');
  });

  it('a repeat with the same Idempotency-Key answers the same order and places nothing new; another body is 409', async () => {
    const { subject, userId } = await investor();
    const key = randomUUID();
    const body = { assetType: 'etf', side: 'buy', amountUsd: '40.00', symbol: 'VTI' };
    const first = await api.request('POST', '/v1/orders', { as: subject, body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(202);
    const again = await api.request('POST', '/v1/orders', { as: subject, body, headers: { 'idempotency-key': key } });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await api.request('POST', '/v1/orders', {
      as: subject,
      body: { ...body, amountUsd: '41.00' },
      headers: { 'idempotency-key': key },
    });
    expect(other.status).toBe(409);

    await orderReaches(subject, first.body.id, 'filled');
    expect(await ordersOf(userId)).toBe(1);
    expect(await buyingPower(stack, userId)).toBe('960.00');
    expect(await stack.sandbox.control.effectCount('alpaca', 'createOrder', `${first.body.id}-VTI`)).toBe(1);
  });
});

describe('POST /v1/orders/{id}/cancel', () => {
  it('cancels what has not filled: 202, then canceled with the remainder back; 409 afterwards', async () => {
    const { subject, userId } = await investor();
    await stack.sandbox.control.setFills({ prices: { QQQ: '400.00' }, partialFillRatio: 0.25 });
    const placed = await api.request('POST', '/v1/orders', {
      as: subject,
      body: { assetType: 'etf', side: 'buy', amountUsd: '80.00', symbol: 'QQQ' },
    });
    await orderReaches(subject, placed.body.id, 'partially_filled');

    const cancel = await api.request('POST', `/v1/orders/${placed.body.id}/cancel`, { as: subject });
    expect(cancel.status).toBe(202);
    const canceled = await orderReaches(subject, placed.body.id, 'canceled');
    expect(canceled.filledAmountUsd).toBe('20.00');
    expect(await buyingPower(stack, userId)).toBe('980.00');

    expect((await api.request('POST', `/v1/orders/${placed.body.id}/cancel`, { as: subject })).status).toBe(409);
  });

  it('is 409 once the order filled', async () => {
    const { subject } = await investor();
    const placed = await api.request('POST', '/v1/orders', {
      as: subject,
      body: { assetType: 'stock', side: 'buy', amountUsd: '15.00', symbol: 'IBM' },
    });
    await orderReaches(subject, placed.body.id, 'filled');
    const cancel = await api.request('POST', `/v1/orders/${placed.body.id}/cancel`, { as: subject });
    expect(cancel.status).toBe(409);
    expect(cancel.body.title).toBe('Order not cancelable');
  });

  it('keeps each user to their own orders: another user’s order is 404 to read and to cancel', async () => {
    const owner = await investor();
    const placed = await api.request('POST', '/v1/orders', {
      as: owner.subject,
      body: { assetType: 'stock', side: 'buy', amountUsd: '15.00', symbol: 'ORCL' },
    });
    const other = await investor();
    expect((await api.request('GET', `/v1/orders/${placed.body.id}`, { as: other.subject })).status).toBe(404);
    expect((await api.request('POST', `/v1/orders/${placed.body.id}/cancel`, { as: other.subject })).status).toBe(404);
    expect((await api.request('GET', '/v1/orders/not-a-uuid', { as: other.subject })).status).toBe(404);
    expect((await api.request('GET', '/v1/orders', { as: other.subject })).body.items).toEqual([]);
  });
});
