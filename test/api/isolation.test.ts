import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startApi, uniqueSubject, type Api } from './harness.js';

// A user only ever sees their own rows: another user's deposit or withdrawal is 404, exactly like an id that
// does not exist. Lists are newest first and page with an opaque cursor.

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

const ethHash = () => `0x${randomBytes(32).toString('hex')}`;

async function walletOf(userId: string) {
  return api.db.wallet.create({
    data: { userId, chain: 'ethereum', address: `0x${randomBytes(20).toString('hex')}`, circleWalletId: randomUUID(), status: 'active' },
  });
}

async function depositFor(userId: string, walletId: string, amount = '10.5') {
  return api.db.deposit.create({
    data: { userId, walletId, chain: 'ethereum', txHash: ethHash(), amountStablecoin: amount },
  });
}

describe('deposits of another user', () => {
  it('are 404 by id, absent from lists, and their tx hash cannot be claimed', async () => {
    const alice = uniqueSubject('alice');
    const mallory = uniqueSubject('mallory');
    const aliceId = await registerUser(api, alice);
    await registerUser(api, mallory);
    const deposit = await depositFor(aliceId, (await walletOf(aliceId)).id, '10.500000000000000000');

    const own = await api.request('GET', `/v1/deposits/${deposit.id}`, { as: alice });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: deposit.id, amountStablecoin: '10.5', status: 'pending_confirmation', token: 'USDC' });

    const foreign = await api.request('GET', `/v1/deposits/${deposit.id}`, { as: mallory });
    const missing = await api.request('GET', `/v1/deposits/${randomUUID()}`, { as: mallory });
    const malformed = await api.request('GET', '/v1/deposits/not-an-id', { as: mallory });
    for (const reply of [foreign, missing, malformed]) expect(reply.status).toBe(404);
    expect(foreign.body).toEqual({ ...missing.body });

    expect((await api.request('GET', '/v1/deposits', { as: mallory })).body.items).toEqual([]);

    // Another user's transaction is not the caller's to see: 404, as for any resource of someone else.
    const claim = await api.request('POST', '/v1/deposits', { as: mallory, body: { chain: 'ethereum', txHash: deposit.txHash } });
    expect(claim.status).toBe(404);
    expect((await api.db.deposit.findUniqueOrThrow({ where: { id: deposit.id } })).userId).toBe(aliceId);
  });

  it('reporting one of your own known deposits again returns it and starts nothing', async () => {
    const subject = uniqueSubject('again');
    const userId = await registerUser(api, subject);
    const deposit = await depositFor(userId, (await walletOf(userId)).id);
    const reply = await api.request('POST', '/v1/deposits', {
      as: subject,
      body: { chain: 'ethereum', txHash: deposit.txHash.toUpperCase().replace('0X', '0x') },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(deposit.id);
    expect(await api.db.deposit.count({ where: { userId } })).toBe(1);
  });
});

describe('lists', () => {
  it('come newest first, in pages that chain by cursor', async () => {
    const subject = uniqueSubject('pager');
    const userId = await registerUser(api, subject);
    const wallet = await walletOf(userId);
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await depositFor(userId, wallet.id, `${i + 1}`));
    const newestFirst = created.reverse().map((d) => d.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const reply: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await api.request(
        'GET',
        `/v1/deposits?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { as: subject },
      );
      expect(reply.status).toBe(200);
      expect(reply.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...reply.body.items.map((d) => d.id));
      cursor = reply.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(newestFirst);
  });

  it('refuse a limit out of range or a cursor they never issued', async () => {
    const subject = uniqueSubject('limits');
    await registerUser(api, subject);
    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'cursor=abc']) {
      const reply = await api.request('GET', `/v1/deposits?${query}`, { as: subject });
      expect(reply.status, query).toBe(400);
      expect(reply.body.errors[0].path).toMatch(/^query\./);
    }
  });
});

describe('reporting a deposit', () => {
  it('refuses a hash that does not belong to the chain, and writes nothing', async () => {
    const subject = uniqueSubject('hashes');
    const userId = await registerUser(api, subject);
    const solanaSignature = '5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW';
    for (const body of [
      { chain: 'ethereum', txHash: '0x1234' },
      { chain: 'ethereum', txHash: solanaSignature },
      { chain: 'solana', txHash: ethHash() },
      { chain: 'bitcoin', txHash: ethHash() },
      { chain: 'ethereum' },
    ]) {
      const reply = await api.request('POST', '/v1/deposits', { as: subject, body });
      expect(reply.status, JSON.stringify(body)).toBe(400);
    }
    expect(await api.db.deposit.count({ where: { userId } })).toBe(0);
  });
});
