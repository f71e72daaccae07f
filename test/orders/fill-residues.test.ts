import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { legClientOrderId } from '../../src/domain/basket.js';
import { startApi, type Api } from '../api/harness.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { apiFilledOrder, apiInvestor, buyingPower } from './support.js';

// Fills are booked in cents while the broker moves qty x price: what rounding leaves over is recorded in
// unallocated_funds (kind rounding, USD, signed in the firm's favour), per fill increment, never dropped.

let stack: Stack;
let api: Api;
beforeAll(async () => {
  stack = await startStack({ name: 'fill-residues' });
  api = await startApi({ stack });
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});
beforeEach(async () => {
  await stack.sandbox.control.clearFaults();
  await stack.sandbox.control.setFills({ partialFillRatio: 1, rejectSymbols: [], fillDelayMs: 20 });
});

const residues = (userId: string) =>
  stack.db.unallocatedFund.findMany({ where: { userId, kind: 'rounding' }, orderBy: { createdAt: 'asc' } });

describe('fill rounding residues', () => {
  it('the sub-cent difference between the broker’s qty x price and the cents booked is recorded, for a buy and a sell', async () => {
    const symbol = 'THIRD';
    await stack.sandbox.control.setFills({ prices: { [symbol]: '300.00' } });
    const { subject, userId } = await apiInvestor(stack, api, '1000.00');

    // 100.00 at 300.00 buys 0.333333333 shares for 99.9999999: the user paid 0.0000001 more than the broker took.
    const buy = await apiFilledOrder(api, subject, { assetType: 'stock', side: 'buy', amountUsd: '100.00', symbol });
    expect(buy.legs[0]).toMatchObject({ filledQuantity: '0.333333333', filledAmountUsd: '100.00' });
    const buySource = `order-leg:${legClientOrderId(buy.id, symbol)}:0.333333333`;
    expect(
      (await residues(userId)).map((r) => ({ source: r.source, currency: r.currency, amount: new Decimal(r.amount.toString()).toFixed() })),
    ).toEqual([{ source: buySource, currency: 'USD', amount: '0.0000001' }]);

    // Selling it all raises 99.9999999 at the broker; the user is credited whole cents only (99.99).
    const sell = await apiFilledOrder(api, subject, { assetType: 'stock', side: 'sell', quantity: '0.333333333', symbol });
    expect(sell.filledAmountUsd).toBe('99.99');
    expect(await buyingPower(stack, userId)).toBe('999.99');
    const recorded = await residues(userId);
    expect(recorded).toHaveLength(2);
    expect(recorded[1]).toMatchObject({ source: `order-leg:${legClientOrderId(sell.id, symbol)}:0.333333333`, currency: 'USD' });
    expect(new Decimal(recorded[1]!.amount.toString()).toFixed()).toBe('0.0099999');
    // Booked money and recorded residues add up to what moved at the broker, both ways.
    expect(new Decimal('100.00').minus(recorded[0]!.amount.toString()).toFixed()).toBe('99.9999999');
    expect(new Decimal('99.99').plus(recorded[1]!.amount.toString()).toFixed()).toBe('99.9999999');
  });

  it('a fill with no residue records nothing', async () => {
    const symbol = 'EVEN';
    await stack.sandbox.control.setFills({ prices: { [symbol]: '250.00' } });
    const { subject, userId } = await apiInvestor(stack, api, '1000.00');
    await apiFilledOrder(api, subject, { assetType: 'stock', side: 'buy', amountUsd: '100.00', symbol });
    expect(await residues(userId)).toEqual([]);
  });
});
