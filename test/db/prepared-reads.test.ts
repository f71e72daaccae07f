import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDb, Prisma } from '../../src/db/client.js';
import { depositOfUser, idempotencyKeyOf, orderWithLegsOfUser } from '../../src/db/prepared-reads.js';
import { createUser } from '../helpers/stack.js';

// The prepared reads stand in for Prisma's findUnique on the API's hottest routes: each must answer the same
// object, field for field (types included: Decimal, Date, null, parsed JSON), for rows with every optional column
// set and with none, and nothing for another user's row.

const db = createDb(inject('databaseUrl'), 2);
afterAll(() => db.$disconnect());

/** Decimals compared by class and exact value, Dates by instant: what toEqual alone would blur. */
function comparable(value: unknown): unknown {
  if (value instanceof Prisma.Decimal) return { decimal: value.toFixed() };
  if (value instanceof Date) return { date: value.toISOString() };
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)]));
  return value;
}

async function wallet(userId: string) {
  const address = `0x${randomUUID().replace(/-/g, '')}00000000`;
  return db.wallet.create({ data: { userId, chain: 'ethereum', address, circleWalletId: randomUUID(), status: 'active' } });
}

describe('prepared reads answer what Prisma answers', () => {
  it('a deposit, bare and with every optional column, and not another user’s', async () => {
    const user = await createUser(db);
    const other = await createUser(db);
    const { id: walletId } = await wallet(user.id);
    const bare = await db.deposit.create({
      data: {
        userId: user.id,
        walletId,
        chain: 'ethereum',
        txHash: `0x${randomUUID()}`,
        amountStablecoin: new Prisma.Decimal('0.000000000000000001'),
      },
    });
    const full = await db.deposit.create({
      data: {
        userId: user.id,
        walletId,
        chain: 'solana',
        txHash: randomUUID(),
        amountStablecoin: new Prisma.Decimal('1234567.123456789012345678'),
        status: 'failed',
        confirmedAt: new Date('2026-12-02T10:00:00.123Z'),
        offRampInitiatedAt: new Date('2026-12-02T10:00:01.456Z'),
        offRampCompletedAt: new Date('2026-12-02T10:00:02.789Z'),
        brokerFundedAt: new Date('2026-12-02T10:00:03.001Z'),
        failureReason: 'a reason with “quotes” and \\ backslash',
      },
    });
    for (const { id } of [bare, full]) {
      const viaPrisma = await db.deposit.findUnique({ where: { id, userId: user.id } });
      const prepared = await depositOfUser(db, id, user.id);
      expect(comparable(prepared)).toEqual(comparable(viaPrisma));
      expect(Object.keys(prepared!).sort()).toEqual(Object.keys(viaPrisma!).sort());
    }
    expect(await depositOfUser(db, full.id, other.id)).toBeNull();
  });

  it('an idempotency key', async () => {
    const user = await createUser(db);
    const key = `key-${randomUUID()}`;
    await db.idempotencyKey.create({
      data: { userId: user.id, key, requestHash: 'a'.repeat(64), resourceType: 'order', resourceId: randomUUID() },
    });
    const viaPrisma = await db.idempotencyKey.findUnique({ where: { userId_key: { userId: user.id, key } } });
    expect(comparable(await idempotencyKeyOf(db, user.id, key))).toEqual(comparable(viaPrisma));
    expect(await idempotencyKeyOf(db, user.id, 'no-such-key')).toBeNull();
  });

  it('an order with no legs, one with legs of every shape, and not another user’s', async () => {
    const user = await createUser(db);
    const other = await createUser(db);
    const bare = await db.order.create({
      data: { userId: user.id, assetType: 'stock', side: 'buy', amountUsd: new Prisma.Decimal('10.00') },
    });
    const option = await db.order.create({
      data: {
        userId: user.id,
        assetType: 'option',
        side: 'buy',
        amountUsd: new Prisma.Decimal('999.00'),
        optionDetailsJson: { occSymbol: 'AAPL261218C00150000', quantity: 1, limitPrice: '9.99' },
        status: 'filled',
        alpacaOrderRef: randomUUID(),
        failureReason: 'none',
        legs: {
          create: [
            { symbol: 'AAPL261218C00150000', clientOrderId: randomUUID(), quantity: new Prisma.Decimal('1'), status: 'filled' },
            {
              symbol: 'VTI',
              clientOrderId: randomUUID(),
              notionalUsd: new Prisma.Decimal('5.25'),
              alpacaOrderRef: randomUUID(),
              filledQuantity: new Prisma.Decimal('0.012345678901234567'),
              filledAmountUsd: new Prisma.Decimal('5.25'),
              filledAvgPrice: new Prisma.Decimal('425.123456'),
              heldQuantity: new Prisma.Decimal('0.5'),
            },
          ],
        },
      },
    });
    for (const { id } of [bare, option]) {
      const viaPrisma = await db.order.findUnique({ where: { id, userId: user.id }, include: { legs: true } });
      const prepared = await orderWithLegsOfUser(db, id, user.id);
      const bySymbol = (o: typeof viaPrisma) => ({ ...o!, legs: [...o!.legs].sort((a, b) => a.symbol.localeCompare(b.symbol)) });
      expect(comparable(bySymbol(prepared))).toEqual(comparable(bySymbol(viaPrisma)));
    }
    expect((await orderWithLegsOfUser(db, option.id, user.id))!.legs).toHaveLength(2);
    expect(await orderWithLegsOfUser(db, option.id, other.id)).toBeNull();
  });
});
