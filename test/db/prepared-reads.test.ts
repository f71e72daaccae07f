import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDb, poolOf, Prisma } from '../../src/db/client.js';
import {
  depositByTransaction,
  depositOfUser,
  depositStateOf,
  hasReceivingWallet,
  idempotencyKeyOf,
  orderWithLegsOfUser,
  userOf,
  withdrawalStatusOf,
} from '../../src/db/prepared-reads.js';
import type { Chain } from '../../src/providers/ports.js';
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

  it('a user, bare and with every optional column', async () => {
    const bare = await db.user.create({ data: { authProviderId: `test|${randomUUID()}` } });
    const full = await db.user.create({
      data: {
        authProviderId: `test|${randomUUID()}`,
        email: `${randomUUID()}@example.com`,
        phoneNumber: `+1${Date.now() % 10_000_000_000}`,
        kycStatus: 'rejected',
        passcodeHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
      },
    });
    for (const { id } of [bare, full]) {
      const viaPrisma = await db.user.findUnique({ where: { id } });
      const prepared = await userOf(db, id);
      expect(comparable(prepared)).toEqual(comparable(viaPrisma));
      expect(Object.keys(prepared!).sort()).toEqual(Object.keys(viaPrisma!).sort());
    }
    expect(await userOf(db, randomUUID())).toBeNull();
  });

  it('a deposit by its chain and transaction, whoever’s it is, and the wallets a deposit can have reached', async () => {
    const user = await createUser(db);
    const other = await createUser(db);
    const { id: walletId } = await wallet(user.id);
    await db.wallet.create({ data: { userId: other.id, chain: 'solana', address: '', circleWalletId: randomUUID(), status: 'creating' } });
    const txHash = `0x${randomUUID().replace(/-/g, '')}`;
    const deposit = await db.deposit.create({
      data: { userId: user.id, walletId, chain: 'ethereum', txHash, amountStablecoin: new Prisma.Decimal('7.5'), status: 'broker_funded' },
    });
    const viaPrisma = await db.deposit.findUnique({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
    expect(viaPrisma?.id).toBe(deposit.id);
    expect(comparable(await depositByTransaction(db, 'ethereum', txHash))).toEqual(comparable(viaPrisma));
    expect(await depositByTransaction(db, 'solana', txHash)).toBeNull(); // the same hash on another chain is another transfer
    expect(await depositByTransaction(db, 'bitcoin' as Chain, txHash)).toBeNull(); // a chain the schema does not know

    expect(await hasReceivingWallet(db, user.id, 'ethereum')).toBe(true);
    expect(await hasReceivingWallet(db, user.id, 'solana')).toBe(false); // none
    expect(await hasReceivingWallet(db, other.id, 'solana')).toBe(false); // still being created: no address yet
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

describe('what a saga step reads before it calls a provider', () => {
  it('a deposit’s status, exact USDC, chain and Circle wallet, and a withdrawal’s status, as Prisma reads them', async () => {
    const user = await createUser(db);
    const { id: walletId, circleWalletId } = await wallet(user.id);
    const deposits = await Promise.all(
      (['1234567.123456789012345678', '5.5', '0.000001'] as const).map((amount, i) =>
        db.deposit.create({
          data: {
            userId: user.id,
            walletId,
            chain: i === 1 ? 'solana' : 'ethereum',
            txHash: randomUUID(),
            amountStablecoin: new Prisma.Decimal(amount),
            status: i === 2 ? 'failed' : 'pending_confirmation',
          },
          include: { wallet: true },
        }),
      ),
    );
    const withdrawal = await db.withdrawal.create({
      data: {
        userId: user.id,
        amountUsd: new Prisma.Decimal('1.00'),
        targetChain: 'ethereum',
        targetAddress: `0x${'ab'.repeat(20)}`,
        status: 'broker_withdrawal_initiated',
      },
    });
    const states = await Promise.all(deposits.map(({ id }) => depositStateOf(db, id)));
    expect(states).toEqual(
      deposits.map((d) => ({ status: d.status, amountUsdc: d.amountStablecoin.toFixed(), chain: d.chain, circleWalletId })),
    );
    expect(states[1]!.amountUsdc).toBe('5.5'); // the column's 18 places trimmed: Circle refuses them
    expect(await withdrawalStatusOf(db, withdrawal.id)).toBe('broker_withdrawal_initiated');
    expect(await depositStateOf(db, withdrawal.id)).toBeUndefined();
    expect(await withdrawalStatusOf(db, deposits[0]!.id)).toBeUndefined();
    expect(await depositStateOf(db, 'not-a-uuid')).toBeUndefined();
  });
});

describe('reads asked for together go as one execution, each answering only its own key', () => {
  /** Executions of the pool under `db` while `reads` run (the pool's own query method, counted, not replaced). */
  async function executionsDuring<T>(reads: () => Promise<T>): Promise<{ result: T; executions: number }> {
    const pool = poolOf(db);
    const query = pool.query.bind(pool);
    let executions = 0;
    pool.query = ((...args: Parameters<typeof query>) => {
      executions++;
      return query(...args);
    }) as typeof pool.query;
    try {
      return { result: await reads(), executions };
    } finally {
      pool.query = query;
    }
  }

  it('deposits of several users: each caller its own row, another user’s id nothing, a malformed id nothing', async () => {
    const [alice, bob] = [await createUser(db), await createUser(db)];
    const depositOf = async (userId: string) =>
      db.deposit.create({
        data: {
          userId,
          walletId: (await wallet(userId)).id,
          chain: 'ethereum',
          txHash: `0x${randomUUID()}`,
          amountStablecoin: new Prisma.Decimal('1'),
        },
      });
    const [mine, bobs] = [await depositOf(alice.id), await depositOf(bob.id)];
    const { result, executions } = await executionsDuring(() =>
      Promise.all([
        depositOfUser(db, mine.id, alice.id),
        depositOfUser(db, bobs.id, bob.id),
        depositOfUser(db, bobs.id, alice.id), // Alice asks for Bob's deposit in the same batch as Bob
        depositOfUser(db, mine.id, alice.id), // the same key twice
        depositOfUser(db, 'not-a-uuid', alice.id),
        depositOfUser(db, randomUUID(), alice.id),
      ]),
    );
    expect(executions).toBe(1);
    expect(result.map((d) => d && [d.id, d.userId])).toEqual([
      [mine.id, alice.id],
      [bobs.id, bob.id],
      null,
      [mine.id, alice.id],
      null,
      null,
    ]);
    expect(result[0]).not.toBe(result[3]); // callers of one key still get objects of their own
  });

  it('orders with different numbers of legs, and idempotency keys, of several users in one batch each', async () => {
    const [alice, bob] = [await createUser(db), await createUser(db)];
    const orderOf = (userId: string, symbols: string[]) =>
      db.order.create({
        data: {
          userId,
          assetType: 'basket',
          side: 'buy',
          amountUsd: new Prisma.Decimal('30.00'),
          legs: { create: symbols.map((symbol) => ({ symbol, clientOrderId: randomUUID(), notionalUsd: new Prisma.Decimal('10.00') })) },
        },
      });
    const [three, one, none] = [await orderOf(alice.id, ['VTI', 'VXUS', 'BND']), await orderOf(bob.id, ['SPY']), await orderOf(bob.id, [])];
    for (const [userId, order] of [
      [alice.id, three],
      [bob.id, one],
    ] as const) {
      await db.idempotencyKey.create({
        data: {
          userId,
          key: 'same-key',
          requestHash: userId.replace(/-/g, '').padEnd(64, '0'),
          resourceType: 'order',
          resourceId: order.id,
        },
      });
    }
    const { result: orders, executions } = await executionsDuring(() =>
      Promise.all([
        orderWithLegsOfUser(db, three.id, alice.id),
        orderWithLegsOfUser(db, one.id, bob.id),
        orderWithLegsOfUser(db, none.id, bob.id),
        orderWithLegsOfUser(db, one.id, alice.id),
      ]),
    );
    expect(executions).toBe(1);
    expect(orders.map((o) => o && [o.id, o.legs.map((l) => l.symbol).sort()])).toEqual([
      [three.id, ['BND', 'VTI', 'VXUS']],
      [one.id, ['SPY']],
      [none.id, []],
      null,
    ]);
    const { result: keys } = await executionsDuring(() =>
      Promise.all([
        idempotencyKeyOf(db, alice.id, 'same-key'),
        idempotencyKeyOf(db, bob.id, 'same-key'),
        idempotencyKeyOf(db, bob.id, 'other'),
        idempotencyKeyOf(db, bob.id, 'nul\u0000byte'), // PostgreSQL refuses NUL in text: must not fail the others
      ]),
    );
    expect(keys.map((k) => k?.resourceId ?? null)).toEqual([three.id, one.id, null, null]);
  });
});
