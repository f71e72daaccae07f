import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDb } from '../../src/db/client.js';

// The status-event trigger (prisma/migrations/…_events): it runs inside the statement that changes a status, so
// whatever it cannot encode, the money-moving statement cannot write either.

const db = createDb(inject('databaseUrl'), 1);
afterAll(() => db.$disconnect());

describe('the status-event trigger', () => {
  it('records a deposit of any amount its column holds, amountUsd cut (not rounded) to cents', async () => {
    // DECIMAL(36, 18) holds up to 10^18 - 10^-18; the snapshot's USD amount once went through numeric(18, 2), which
    // overflows at 10^16.
    const amount = '999999999999999999.999999999999999999';
    const user = await db.user.create({ data: { authProviderId: `test|${randomUUID()}` } });
    const wallet = await db.wallet.create({
      data: {
        userId: user.id,
        chain: 'ethereum',
        address: `0x${randomBytes(20).toString('hex')}`,
        circleWalletId: randomUUID(),
        status: 'active',
      },
    });
    const deposit = await db.deposit.create({
      data: {
        userId: user.id,
        walletId: wallet.id,
        chain: 'ethereum',
        txHash: `0x${randomBytes(32).toString('hex')}`,
        amountStablecoin: amount,
      },
    });
    const event = await db.event.findFirstOrThrow({ where: { resourceId: deposit.id } });
    expect(event.data).toMatchObject({ amountUsdc: amount, amountUsd: '999999999999999999.99', status: 'pending_confirmation' });
  });
});
