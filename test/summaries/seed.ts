import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/client.js';
import { weekRange } from '../../src/domain/week.js';

// A user's week of activity written straight into the run's database (users come from createUser in
// test/helpers/stack.ts): the summary reads only our own rows, so the rows a finished deposit, withdrawal or
// order leaves behind are the whole input it needs.

/** An instant inside the week starting on `weekStartDate`, `hours` after its Monday 00:00 UTC. */
export function inWeek(weekStartDate: string, hours = 30): Date {
  return new Date(weekRange(weekStartDate).start.getTime() + hours * 3_600_000);
}

export async function seedDeposit(
  db: Db,
  userId: string,
  input: { amountUsdc: string; at: Date; status?: 'broker_funded' | 'failed' | 'confirmed_on_chain' },
): Promise<void> {
  // Users registered through the API have no wallet yet.
  const wallet = await db.wallet.upsert({
    where: { userId_chain: { userId, chain: 'ethereum' } },
    update: {},
    create: { userId, chain: 'ethereum', address: `0x${randomBytes(20).toString('hex')}`, circleWalletId: randomUUID(), status: 'active' },
  });
  await db.deposit.create({
    data: {
      userId,
      walletId: wallet.id,
      chain: 'ethereum',
      txHash: `0x${randomBytes(32).toString('hex')}`,
      amountStablecoin: input.amountUsdc,
      status: input.status ?? 'broker_funded',
      createdAt: input.at,
    },
  });
}

export async function seedWithdrawal(
  db: Db,
  userId: string,
  input: { amountUsd: string; at: Date; status?: 'complete' | 'failed' | 'pending' },
): Promise<void> {
  await db.withdrawal.create({
    data: {
      userId,
      amountUsd: input.amountUsd,
      targetChain: 'ethereum',
      targetAddress: `0x${randomBytes(20).toString('hex')}`,
      status: input.status ?? 'complete',
      createdAt: input.at,
    },
  });
}

/** A filled single-leg order. */
export async function seedOrder(
  db: Db,
  userId: string,
  input: { side: 'buy' | 'sell'; amountUsd: string; symbol?: string; at: Date },
): Promise<void> {
  const id = randomUUID();
  await db.order.create({
    data: {
      id,
      userId,
      assetType: 'etf',
      side: input.side,
      amountUsd: input.amountUsd,
      status: 'filled',
      createdAt: input.at,
      legs: {
        create: {
          symbol: input.symbol ?? 'VTI',
          clientOrderId: `order-${id}-${input.symbol ?? 'VTI'}`,
          notionalUsd: input.amountUsd,
          status: 'filled',
          filledAmountUsd: input.amountUsd,
        },
      },
    },
  });
}

export async function summariesOf(db: Db, userId: string) {
  return db.aiSummary.findMany({ where: { userId }, orderBy: { weekStartDate: 'asc' } });
}
