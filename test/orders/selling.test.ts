import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { legClientOrderId } from '../../src/domain/basket.js';
import { startApi, type Api } from '../api/harness.js';
import { startStack, type Stack } from '../helpers/stack.js';
import {
  apiFilledOrder,
  apiInvestor,
  apiOrderReaches,
  baskets,
  brokerQuantity,
  buyingPower,
  cachedQuantity,
  seedBasketsOnce,
} from './support.js';

// Selling what you hold, and no more, played by a hostile user over HTTP. The brokerage account is one omnibus
// account: it holds every user's shares, so the broker alone never stops a user from selling someone else's.
// Each test has a bystander holding the same symbol, and checks the broker's own position against the users'.

let stack: Stack;
let api: Api;
beforeAll(async () => {
  stack = await startStack({ name: 'selling' });
  api = await startApi({ stack });
  await seedBasketsOnce(stack);
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});
beforeEach(async () => {
  await stack.sandbox.control.clearFaults();
  await stack.sandbox.control.setFills({ partialFillRatio: 1, rejectSymbols: [], fillDelayMs: 20 });
});

const sell = (subject: string, body: Record<string, unknown>) =>
  api.request('POST', '/v1/orders', { as: subject, body: { assetType: 'stock', side: 'sell', ...body } });

/** Someone else who holds `amountUsd` of the symbol in the same omnibus account. */
async function bystander(symbol: string, amountUsd: string) {
  const other = await apiInvestor(stack, api, '10000.00');
  await apiFilledOrder(api, other.subject, { assetType: 'stock', side: 'buy', amountUsd, symbol });
  return other;
}

describe('no selling what you do not hold', () => {
  it('two $100 sells of a $100 position sent at once: one is accepted, the other is 422, and the proceeds are credited once', async () => {
    const symbol = 'TWICE';
    await stack.sandbox.control.setFills({ prices: { [symbol]: '200.00' } });
    const other = await bystander(symbol, '400.00');
    const attacker = await apiInvestor(stack, api, '1000.00');
    await apiFilledOrder(api, attacker.subject, { assetType: 'stock', side: 'buy', amountUsd: '100.00', symbol });
    expect(await buyingPower(stack, attacker.userId)).toBe('900.00');
    expect(await brokerQuantity(stack, symbol)).toBe('2.5');

    const replies = await Promise.all([
      sell(attacker.subject, { amountUsd: '100.00', symbol }),
      sell(attacker.subject, { amountUsd: '100.00', symbol }),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([202, 422]);
    const accepted = replies.find((r) => r.status === 202)!;
    expect(replies.find((r) => r.status === 422)!.body).toMatchObject({ title: 'No position to sell' });

    await apiOrderReaches(api, attacker.subject, accepted.body.id, 'filled');
    // Give a second sell every chance to have gone through before looking at the money.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await stack.db.order.count({ where: { userId: attacker.userId, side: 'sell' } })).toBe(1);
    expect(await buyingPower(stack, attacker.userId)).toBe('1000.00');
    expect(await cachedQuantity(stack, attacker.userId, symbol)).toBe('0');
    // The broker sold the attacker's half share and nothing of the bystander's.
    expect(await brokerQuantity(stack, symbol)).toBe('2');
    expect(await cachedQuantity(stack, other.userId, symbol)).toBe('2');
    expect(await stack.sandbox.control.effectCount('alpaca', 'createOrder', legClientOrderId(accepted.body.id, symbol))).toBe(1);
  });

  it('five sells racing for one position: only as many are accepted as the position covers, and no more is sold', async () => {
    const symbol = 'RACE';
    await stack.sandbox.control.setFills({ prices: { [symbol]: '200.00' } });
    await bystander(symbol, '400.00');
    const attacker = await apiInvestor(stack, api, '1000.00');
    await apiFilledOrder(api, attacker.subject, { assetType: 'stock', side: 'buy', amountUsd: '100.00', symbol });

    // Each $40 sell holds 0.21 of the 0.5 share (0.2 plus the 5% margin): two fit, the third would not.
    const replies = await Promise.all(Array.from({ length: 5 }, () => sell(attacker.subject, { amountUsd: '40.00', symbol })));
    expect(replies.map((r) => r.status).sort()).toEqual([202, 202, 422, 422, 422]);
    for (const reply of replies.filter((r) => r.status === 202)) await apiOrderReaches(api, attacker.subject, reply.body.id, 'filled');
    expect(await buyingPower(stack, attacker.userId)).toBe('980.00');
    expect(await cachedQuantity(stack, attacker.userId, symbol)).toBe('0.1');
    expect(await brokerQuantity(stack, symbol)).toBe('2.1');
  });

  it('a dollar sell is priced at the broker’s current price, not the cached value: after the price fell it is 422', async () => {
    const symbol = 'FELL';
    await stack.sandbox.control.setFills({ prices: { [symbol]: '200.00' } });
    await bystander(symbol, '1000.00');
    const attacker = await apiInvestor(stack, api, '1000.00');
    await apiFilledOrder(api, attacker.subject, { assetType: 'stock', side: 'buy', amountUsd: '100.00', symbol });
    // The cache still values the half share at 100.00; at the broker it is worth 75.00 now.
    await stack.sandbox.control.setFills({ prices: { [symbol]: '150.00' } });

    const tooMuch = await sell(attacker.subject, { amountUsd: '90.00', symbol });
    expect(tooMuch.status).toBe(422);
    expect(await stack.db.order.count({ where: { userId: attacker.userId, side: 'sell' } })).toBe(0);

    const all = await sell(attacker.subject, { amountUsd: '75.00', symbol });
    expect(all.status).toBe(202);
    await apiOrderReaches(api, attacker.subject, all.body.id, 'filled');
    expect(await buyingPower(stack, attacker.userId)).toBe('975.00');
    expect(await cachedQuantity(stack, attacker.userId, symbol)).toBe('0');
    expect(await brokerQuantity(stack, symbol)).toBe('5');
  });

  it('a sell given as a quantity holds exactly that quantity at once and pays what filled', async () => {
    const symbol = 'QTYS';
    await stack.sandbox.control.setFills({ prices: { [symbol]: '200.00' } });
    await bystander(symbol, '1000.00');
    const seller = await apiInvestor(stack, api, '1000.00');
    await apiFilledOrder(api, seller.subject, { assetType: 'stock', side: 'buy', amountUsd: '100.00', symbol });

    const tooMany = await sell(seller.subject, { quantity: '0.500000001', symbol });
    expect(tooMany.status).toBe(422);

    await stack.sandbox.control.setFills({ fillDelayMs: 1_000 });
    const reply = await sell(seller.subject, { quantity: '0.2', symbol });
    expect(reply.status).toBe(202);
    expect(reply.body.legs[0]).toMatchObject({ symbol, quantity: '0.2', heldQuantity: '0.2' });
    // Held at accept: the position shows what is left to sell, before the broker has done anything.
    expect(await cachedQuantity(stack, seller.userId, symbol)).toBe('0.3');
    const positions = await api.request('GET', '/v1/positions', { as: seller.subject });
    expect(positions.body.items).toEqual([expect.objectContaining({ symbol, quantity: '0.3', marketValueUsd: '60.00' })]);

    const filled = await apiOrderReaches(api, seller.subject, reply.body.id, 'filled');
    expect(filled).toMatchObject({ filledAmountUsd: '40.00', legs: [expect.objectContaining({ filledQuantity: '0.2' })] });
    expect(await buyingPower(stack, seller.userId)).toBe('940.00');
    expect(await cachedQuantity(stack, seller.userId, symbol)).toBe('0.3');
    expect(await brokerQuantity(stack, symbol)).toBe('5.3');
  });

  it('a canceled sell gives back the quantity that did not fill, once, and pays for the part that did', async () => {
    const symbol = 'HALF';
    await stack.sandbox.control.setFills({ prices: { [symbol]: '100.00' } });
    await bystander(symbol, '500.00');
    const seller = await apiInvestor(stack, api, '1000.00');
    await apiFilledOrder(api, seller.subject, { assetType: 'stock', side: 'buy', amountUsd: '100.00', symbol });

    await stack.sandbox.control.setFills({ partialFillRatio: 0.5 });
    const reply = await sell(seller.subject, { amountUsd: '60.00', symbol });
    expect(reply.status).toBe(202);
    // 60.00 at 100.00 plus the 5% margin: 0.63 of the share is held.
    expect(reply.body.legs[0].heldQuantity).toBe('0.63');
    expect(await cachedQuantity(stack, seller.userId, symbol)).toBe('0.37');
    await apiOrderReaches(api, seller.subject, reply.body.id, 'partially_filled');
    expect((await api.request('POST', `/v1/orders/${reply.body.id}/cancel`, { as: seller.subject })).status).toBe(202);

    const canceled = await apiOrderReaches(api, seller.subject, reply.body.id, 'canceled');
    expect(canceled).toMatchObject({
      filledAmountUsd: '30.00',
      legs: [expect.objectContaining({ filledQuantity: '0.3', status: 'canceled' })],
    });
    expect(await buyingPower(stack, seller.userId)).toBe('930.00');
    expect(await cachedQuantity(stack, seller.userId, symbol)).toBe('0.7');
    const position = await stack.db.positionCache.findUniqueOrThrow({
      where: { userId_symbol_assetType: { userId: seller.userId, symbol, assetType: 'stock' } },
    });
    expect(position.marketValue!.toFixed(2)).toBe('70.00');
    expect(await brokerQuantity(stack, symbol)).toBe('5.7');
  });

  it('when the broker sells more than was held, only the held part is credited and the excess is recorded', async () => {
    const symbol = 'SLIP';
    await stack.sandbox.control.setFills({ prices: { [symbol]: '100.00' } });
    await bystander(symbol, '500.00');
    const seller = await apiInvestor(stack, api, '1000.00');
    await apiFilledOrder(api, seller.subject, { assetType: 'stock', side: 'buy', amountUsd: '100.00', symbol });

    await stack.sandbox.control.setFills({ fillDelayMs: 1_500 });
    const reply = await sell(seller.subject, { amountUsd: '50.00', symbol });
    expect(reply.status).toBe(202);
    expect(reply.body.legs[0].heldQuantity).toBe('0.525');
    // The price falls by more than the margin before the notional sell fills: the broker sells 0.625 shares.
    await stack.sandbox.control.setFills({ prices: { [symbol]: '80.00' } });
    const filled = await apiOrderReaches(api, seller.subject, reply.body.id, 'filled');
    expect(filled.legs[0]).toMatchObject({ filledQuantity: '0.625', heldQuantity: '0.525' });

    // 0.525 held x 80.00: the user is paid for what they held, and keeps the rest of their position.
    expect(filled.filledAmountUsd).toBe('42.00');
    expect(await buyingPower(stack, seller.userId)).toBe('942.00');
    expect(await cachedQuantity(stack, seller.userId, symbol)).toBe('0.475');
    expect(await brokerQuantity(stack, symbol)).toBe('5.375');
    const recorded = await stack.db.unallocatedFund.findMany({
      where: { userId: seller.userId, kind: 'rounding' },
      orderBy: { currency: 'asc' },
    });
    const source = `order-leg:${legClientOrderId(reply.body.id, symbol)}:0.625`;
    expect(recorded.map((r) => ({ currency: r.currency, amount: new Decimal(r.amount.toString()).toFixed(), source: r.source }))).toEqual([
      { currency: symbol, amount: '-0.1', source },
      { currency: 'USD', amount: '8', source },
    ]);
  });

  it('a whole position bought for $100 sells for $100, though its quantity was truncated to 9 decimals', async () => {
    const symbol = 'WHOLE';
    await stack.sandbox.control.setFills({ prices: { [symbol]: '300.00' } });
    const seller = await apiInvestor(stack, api, '1000.00');
    await apiFilledOrder(api, seller.subject, { assetType: 'stock', side: 'buy', amountUsd: '100.00', symbol });
    expect(await cachedQuantity(stack, seller.userId, symbol)).toBe('0.333333333');

    const all = await sell(seller.subject, { amountUsd: '100.00', symbol });
    expect(all.status).toBe(202);
    expect(all.body.legs[0].heldQuantity).toBe('0.333333333');
    await apiOrderReaches(api, seller.subject, all.body.id, 'filled');
    expect(await buyingPower(stack, seller.userId)).toBe('1000.00');
    expect(await cachedQuantity(stack, seller.userId, symbol)).toBe('0');
    expect(await brokerQuantity(stack, symbol)).toBe('0');
  });

  it('a basket sell holds every component or none: one component short refuses the whole sell', async () => {
    await stack.sandbox.control.setFills({ prices: { VTI: '100.00', QQQ: '100.00', VXUS: '100.00' } });
    const seller = await apiInvestor(stack, api, '1000.00');
    const growth = { assetType: 'basket', basketId: baskets.growth.id } as const;
    await apiFilledOrder(api, seller.subject, { ...growth, side: 'buy', amountUsd: '200.00' });
    const held = async () => Promise.all(['VTI', 'QQQ', 'VXUS'].map((s) => cachedQuantity(stack, seller.userId, s, 'basket')));
    expect(await held()).toEqual(['1.2', '0.5', '0.3']);
    // QQQ falls: its 0.5 is worth 40.00 now, short of the 50.00 its leg of a $200 sell needs.
    await stack.sandbox.control.setFills({ prices: { QQQ: '80.00' } });

    const tooMuch = await api.request('POST', '/v1/orders', { as: seller.subject, body: { ...growth, side: 'sell', amountUsd: '200.00' } });
    expect(tooMuch.status).toBe(422);
    expect(await held()).toEqual(['1.2', '0.5', '0.3']);

    const half = await api.request('POST', '/v1/orders', { as: seller.subject, body: { ...growth, side: 'sell', amountUsd: '100.00' } });
    expect(half.status).toBe(202);
    const filled = await apiOrderReaches(api, seller.subject, half.body.id, 'filled');
    expect(filled.filledAmountUsd).toBe('100.00');
    expect(await buyingPower(stack, seller.userId)).toBe('900.00');
    // What the broker sold left each position; the margin held beyond it came back.
    expect(await held()).toEqual(['0.6', '0.1875', '0.15']);
    expect(await Promise.all(['VTI', 'QQQ', 'VXUS'].map((s) => brokerQuantity(stack, s)))).toEqual(['0.6', '0.1875', '0.15']);
  });

  it('an option sell holds whole contracts: a second sell of contracts already held is 422', async () => {
    const occSymbol = 'SELL261218C00150000';
    await stack.sandbox.control.setFills({ prices: { [occSymbol]: '1.00' } });
    const seller = await apiInvestor(stack, api, '1000.00');
    const option = (side: 'buy' | 'sell', quantity: number, limitPrice: string) =>
      api.request('POST', '/v1/orders', {
        as: seller.subject,
        body: { assetType: 'option', side, optionDetails: { occSymbol, quantity, limitPrice } },
      });
    const bought = await option('buy', 2, '1.25');
    await apiOrderReaches(api, seller.subject, bought.body.id, 'filled');
    expect(await buyingPower(stack, seller.userId)).toBe('800.00');

    await stack.sandbox.control.setFills({ fillDelayMs: 1_000 });
    // Both at once: whichever is first holds its contracts, and the other no longer fits in what is left.
    const [first, second] = await Promise.all([option('sell', 2, '0.90'), option('sell', 1, '0.90')]);
    expect([first.status, second.status].sort()).toEqual([202, 422]);
    const accepted = first.status === 202 ? first : second;
    const filled = await apiOrderReaches(api, seller.subject, accepted.body.id, 'filled');
    const sold = new Decimal(filled.legs[0].filledQuantity);
    // Paid at the fill price (1.00 x 100 per contract), and whatever was not sold is still the seller's.
    expect(filled.filledAmountUsd).toBe(sold.times(100).toFixed(2));
    expect(await buyingPower(stack, seller.userId)).toBe(new Decimal(800).plus(sold.times(100)).toFixed(2));
    expect(await cachedQuantity(stack, seller.userId, occSymbol, 'option')).toBe(new Decimal(2).minus(sold).toFixed());
    expect(await brokerQuantity(stack, occSymbol)).toBe(new Decimal(2).minus(sold).toFixed());
  });

  it('answers 400 for a quantity on a buy, on a basket, with an amount, or with more than 9 decimals', async () => {
    const { subject, userId } = await apiInvestor(stack, api);
    for (const body of [
      { assetType: 'stock', side: 'buy', quantity: '1', symbol: 'AAPL' },
      { assetType: 'stock', side: 'sell', quantity: '1', amountUsd: '10.00', symbol: 'AAPL' },
      { assetType: 'stock', side: 'sell', quantity: '0.0000000001', symbol: 'AAPL' },
      { assetType: 'stock', side: 'sell', quantity: '0', symbol: 'AAPL' },
      { assetType: 'stock', side: 'sell', quantity: 1, symbol: 'AAPL' },
      { assetType: 'stock', side: 'sell', symbol: 'AAPL' },
    ]) {
      const reply = await api.request('POST', '/v1/orders', { as: subject, body });
      expect(reply.status, JSON.stringify(body)).toBe(400);
    }
    expect(await stack.db.order.count({ where: { userId } })).toBe(0);
  });
});
