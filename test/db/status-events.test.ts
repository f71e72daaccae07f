import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDb } from '../../src/db/client.js';
import { createUser, depositRowOf } from '../helpers/stack.js';

// The status-event trigger (prisma/migrations/…_events): it runs inside the statement that changes a status, so
// whatever it cannot encode, the money-moving statement cannot write either.

const db = createDb(inject('databaseUrl'), 1);
afterAll(() => db.$disconnect());

describe('the status-event trigger', () => {
  it('records a deposit of any amount its column holds, amountUsd cut (not rounded) to cents', async () => {
    // DECIMAL(36, 18) holds up to 10^18 - 10^-18; the snapshot's USD amount once went through numeric(18, 2), which
    // overflows at 10^16.
    const amount = '999999999999999999.999999999999999999';
    const user = await createUser(db);
    const deposit = await depositRowOf(db, user.id, 'pending_confirmation', amount);
    const event = await db.event.findFirstOrThrow({ where: { resourceId: deposit.id } });
    expect(event.data).toMatchObject({ amountUsdc: amount, amountUsd: '999999999999999999.99', status: 'pending_confirmation' });
  });
});
