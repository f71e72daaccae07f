import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDb } from '../../src/db/client.js';
import { walletReachedBy } from '../../src/db/wallets.js';
import { createUser } from '../helpers/stack.js';

// The wallet an inbound transfer reached: matched by address (the indexed column) and Circle's wallet id, so a
// transfer that names a different Circle wallet, or another chain, matches nothing.

const db = createDb(inject('databaseUrl'), 2);
afterAll(() => db.$disconnect());

describe('walletReachedBy', () => {
  it('finds the wallet by address and chain only when Circle names the same wallet', async () => {
    const user = await createUser(db);
    const address = `0x${randomUUID().replace(/-/g, '')}00000000`;
    const circleWalletId = randomUUID();
    const wallet = await db.wallet.create({
      data: { userId: user.id, chain: 'ethereum', address, circleWalletId, status: 'active' },
    });

    expect(await walletReachedBy(db, { chain: 'ethereum', destinationAddress: address, walletId: circleWalletId })).toEqual({
      id: wallet.id,
      userId: user.id,
    });
    expect(await walletReachedBy(db, { chain: 'ethereum', destinationAddress: address, walletId: randomUUID() })).toBeNull();
    expect(await walletReachedBy(db, { chain: 'solana', destinationAddress: address, walletId: circleWalletId })).toBeNull();
  });
});
