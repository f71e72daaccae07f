import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Money } from '../../src/domain/money.js';
import { projectionDrift } from '../../src/ledger/projections.js';
import { workflowIds } from '../../workflows/definitions.js';
import { createInvestor, createUser, startStack, type Stack } from '../helpers/stack.js';
import { depositUsdc, provisionWallet } from '../workflows/support.js';

// The ledger as the database keeps it (balanced, append-only, one transaction per step) and as the sagas book it:
// each step of a deposit and a withdrawal, checked per account, and the projections the API reads against it.

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ name: 'ledger' });
});
afterAll(async () => stack?.stop());
beforeEach(async () => stack.sandbox.control.clearFaults());

/**
 * Books a transaction with these postings (account, asset, amount) in one database transaction; a user account's
 * posting names its user unless `anonymous`.
 */
async function book(reference: string, postings: [string, string, string][], { anonymous = false } = {}) {
  await stack.db.$transaction(async (tx) => {
    const [{ id }] = await tx.$queryRaw<[{ id: bigint }]>`
      INSERT INTO ledger_transactions (reference, kind) VALUES (${reference}, 'test') RETURNING id`;
    for (const [account, asset, amount] of postings) {
      const userId = account.startsWith('user:') && !anonymous ? account.split(':')[1]! : null;
      await tx.$executeRaw`INSERT INTO ledger_postings (transaction_id, account, asset, amount, user_id)
                           VALUES (${id}, ${account}, ${asset}, ${amount}::numeric, ${userId}::uuid)`;
    }
  });
}

/** The transactions booked for `reference`, oldest first, with each account's postings summed per asset. */
async function booked(reference: string) {
  const rows = await stack.db.$queryRaw<{ kind: string; account: string; asset: string; amount: string }[]>`
    SELECT t.kind, p.account, p.asset, sum(p.amount)::text AS amount
    FROM ledger_transactions t JOIN ledger_postings p ON p.transaction_id = t.id
    WHERE t.reference = ${reference} GROUP BY t.id, t.kind, p.account, p.asset ORDER BY t.id, p.account, p.asset`;
  const kinds = [...new Set(rows.map((r) => r.kind))];
  const total = (account: string, asset: string) =>
    rows
      .filter((r) => r.account === account && r.asset === asset)
      .reduce((sum, r) => sum.plus(r.amount), new Money(0))
      .toFixed();
  return { kinds, total };
}

describe('the ledger in the database', () => {
  it('refuses a transaction whose postings do not sum to zero per asset, and names it', async () => {
    await expect(
      book(`test:${randomUUID()}`, [
        ['firm:a', 'USD', '1.00'],
        ['firm:b', 'USD', '-0.99'],
      ]),
    ).rejects.toThrow(/does not balance: USD sums to 0.01/);
    // Balanced in total but not per asset: USD and USDC are different money.
    await expect(
      book(`test:${randomUUID()}`, [
        ['firm:a', 'USD', '1.00'],
        ['firm:b', 'USDC', '-1.00'],
      ]),
    ).rejects.toThrow(/does not balance/);
    await book(`test:${randomUUID()}`, [
      ['firm:a', 'USD', '1.00'],
      ['firm:b', 'USD', '-1.00'],
    ]);
  });

  it('refuses an empty transaction, a second one for the same step, and any change to what was booked', async () => {
    await expect(book(`test:${randomUUID()}`, [])).rejects.toThrow(/has no postings/);
    const reference = `test:${randomUUID()}`;
    await book(reference, [
      ['firm:a', 'USD', '2.00'],
      ['firm:b', 'USD', '-2.00'],
    ]);
    await expect(
      book(reference, [
        ['firm:a', 'USD', '2.00'],
        ['firm:b', 'USD', '-2.00'],
      ]),
    ).rejects.toThrow(/Unique constraint|unique/i);
    await expect(stack.db.$executeRaw`UPDATE ledger_postings SET amount = 3 WHERE account = 'firm:a'`).rejects.toThrow(/append-only/);
    await expect(stack.db.$executeRaw`DELETE FROM ledger_transactions WHERE reference = ${reference}`).rejects.toThrow(/append-only/);
    await expect(stack.db.$executeRawUnsafe('TRUNCATE ledger_postings CASCADE')).rejects.toThrow(/append-only/);
  });

  it('a user posting names its user (the projections are read by user)', async () => {
    const user = await createUser(stack.db);
    const postings: [string, string, string][] = [
      [`user:${user.id}:buying_power`, 'USD', '1'],
      ['firm:b', 'USD', '-1'],
    ];
    await expect(book(`test:${randomUUID()}`, postings, { anonymous: true })).rejects.toThrow(/ledger_postings_user_account/);
  });
});

describe('what the sagas book', () => {
  it('a deposit books confirmation, sweep, off-ramp and funding: the user is owed the cents, the firm keeps the dust, conversion closes', async () => {
    const user = await createUser(stack.db);
    const wallet = await provisionWallet(stack, user.id);
    const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '25.129999' });
    expect(await handle.result()).toBe('broker_funded');
    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });

    const { kinds, total } = await booked(`deposit:${deposit.id}`);
    expect(kinds).toEqual(['confirmed', 'swept', 'off_ramped', 'funded']);
    expect(total(`user:${user.id}:buying_power`, 'USD')).toBe('-25.12');
    expect(total(`user:${user.id}:pending_deposits`, 'USD')).toBe('0');
    expect(total('alpaca:brokerage', 'USD')).toBe('25.12');
    expect(total('alpaca:firm', 'USD')).toBe('0');
    expect(total('firm:rounding', 'USDC')).toBe('-0.009999');
    expect(total('firm:conversion', 'USD')).toBe('0');
    expect(total('firm:conversion', 'USDC')).toBe('0');
    // The sweep took all of it to Mint; the payout took the cents, the dust stays in Mint.
    expect(total('circle:wallets:ethereum', 'USDC')).toBe('0');
    expect(total('circle:mint', 'USDC')).toBe('0.009999');
    expect(await projectionDrift(stack.db, [user.id])).toEqual([]);
  });

  it('a complete withdrawal moves the amount pool by pool and closes the user’s hold', async () => {
    const user = await createInvestor(stack, '60.00');
    await provisionWallet(stack, user.id);
    const withdrawalId = randomUUID();
    const { handle } = await stack.accept('withdrawalWorkflow', workflowIds.withdrawal(withdrawalId), {
      withdrawalId,
      userId: user.id,
      amountUsd: '40.10',
      targetChain: 'ethereum',
      targetAddress: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    });
    expect(await handle.result()).toBe('complete');

    const { kinds, total } = await booked(`withdrawal:${withdrawalId}`);
    expect(kinds).toEqual(['accepted', 'broker_withdrawn', 'on_ramped', 'treasury_funded', 'completed']);
    expect(total(`user:${user.id}:buying_power`, 'USD')).toBe('40.1');
    expect(total(`user:${user.id}:withdrawing`, 'USD')).toBe('0');
    expect(total('alpaca:brokerage', 'USD')).toBe('-40.1');
    for (const pool of ['alpaca:firm', 'circle:mint', 'circle:treasury:ethereum'])
      expect(total(pool, pool.startsWith('alpaca') ? 'USD' : 'USDC')).toBe('0');
    expect(await projectionDrift(stack.db, [user.id])).toEqual([]);
  });

  it('a withdrawal compensated after the on-ramp books the reversal of every firm posting: nothing stays anywhere', async () => {
    const user = await createInvestor(stack, '45.50');
    await provisionWallet(stack, user.id);
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'createTransaction', kind: 'reject' });
    const withdrawalId = randomUUID();
    const { handle } = await stack.accept('withdrawalWorkflow', workflowIds.withdrawal(withdrawalId), {
      withdrawalId,
      userId: user.id,
      amountUsd: '45.50',
      targetChain: 'ethereum',
      targetAddress: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    });
    expect(await handle.result()).toBe('failed');

    const { kinds, total } = await booked(`withdrawal:${withdrawalId}`);
    expect(kinds).toEqual(['accepted', 'broker_withdrawn', 'on_ramped', 'failed']);
    for (const [account, asset] of [
      [`user:${user.id}:buying_power`, 'USD'],
      [`user:${user.id}:withdrawing`, 'USD'],
      ['alpaca:brokerage', 'USD'],
      ['alpaca:firm', 'USD'],
      ['circle:mint', 'USDC'],
      ['firm:conversion', 'USD'],
      ['firm:conversion', 'USDC'],
    ]) {
      expect(total(account!, asset!), account).toBe('0');
    }
    expect(await projectionDrift(stack.db, [user.id])).toEqual([]);
  });

  it('the projection check reports a balance or a position that moved without the ledger, and one the ledger moved alone', async () => {
    const user = await createInvestor(stack, '10.00');
    expect(await projectionDrift(stack.db, [user.id])).toEqual([]);
    await stack.db.$executeRaw`UPDATE balances SET buying_power_usd = buying_power_usd + 0.01 WHERE user_id = ${user.id}::uuid`;
    await stack.db.$executeRaw`INSERT INTO positions_cache (user_id, symbol, quantity, asset_type, last_updated_at)
                               VALUES (${user.id}::uuid, 'AAPL', 1.5, 'stock', now())`;
    await book(`test:${randomUUID()}`, [
      [`user:${user.id}:pending_deposits`, 'USD', '-3.00'],
      ['firm:opening', 'USD', '3.00'],
    ]);
    expect(await projectionDrift(stack.db, [user.id])).toEqual([
      { account: `user:${user.id}:buying_power`, asset: 'USD', ledger: '10', projected: '10.01' },
      { account: `user:${user.id}:pending_deposits`, asset: 'USD', ledger: '3', projected: '0' },
      { account: `user:${user.id}:positions:stock`, asset: 'share:AAPL', ledger: '0', projected: '1.5' },
    ]);
  });
});
