import { afterAll, describe, expect, inject, it } from 'vitest';
import { assertNotFailed, move, usd } from '../../../activities/funding/rows.js';
import { createDb, Prisma } from '../../../src/db/client.js';
import { RowFailed } from '../../../src/domain/status.js';
import { balancesOf, createUser, depositRowOf } from '../../helpers/stack.js';

// The guarded status changes every funding step writes through. What they must refuse: a balance move that finds
// no balances row (the status would change and the money vanish), and a `failed` row taken for "already done"
// (a replayed or reset run would call the provider again after the money was given back).

const db = createDb(inject('databaseUrl'), 2);
afterAll(() => db.$disconnect());

const depositRow = (userId: string, status?: 'pending_confirmation' | 'failed') => depositRowOf(db, userId, status);

const confirm = (id: string) =>
  move(db, {
    table: 'deposits',
    id,
    from: ['pending_confirmation'],
    to: 'confirmed_on_chain',
    balance: Prisma.sql`pending_broker_deposits_usd = pending_broker_deposits_usd + ${usd('25.00')}`,
  });

describe('guarded balance moves', () => {
  it('a confirmation whose user has no balances row changes nothing instead of moving the status alone', async () => {
    const user = await createUser(db, { balance: false });
    const deposit = await depositRow(user.id);
    await expect(confirm(deposit.id)).rejects.toThrow(/no balances row/);
    expect((await db.deposit.findUniqueOrThrow({ where: { id: deposit.id } })).status).toBe('pending_confirmation');
  });

  it('the same confirmation with a balances row moves status and money together, once', async () => {
    const user = await createUser(db);
    const deposit = await depositRow(user.id);
    expect(await confirm(deposit.id)).toBe('pending_confirmation');
    expect(await confirm(deposit.id)).toBeUndefined(); // a retry: already done, no second credit
    expect(await balancesOf(db, user.id)).toMatchObject({ pendingBrokerDepositsUsd: '25.00' });
  });

  it('a failed row is never "already done": a later step against it throws RowFailed and credits nothing', async () => {
    const user = await createUser(db);
    const deposit = await depositRow(user.id, 'failed');
    await expect(confirm(deposit.id)).rejects.toBeInstanceOf(RowFailed);
    await expect(assertNotFailed(db, 'deposits', deposit.id, 'initiateOffRamp')).rejects.toBeInstanceOf(RowFailed);
    expect(await balancesOf(db, user.id)).toMatchObject({ pendingBrokerDepositsUsd: '0.00' });
  });
});
