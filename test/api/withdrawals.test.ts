import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestHash } from '../../src/api/idempotency.js';
import { registerUser, startApi, uniqueSubject, type Api } from './harness.js';

// POST /v1/withdrawals checks everything it can before a saga starts (passcode, KYC, amount, address) and a
// refused request writes nothing. An Idempotency-Key repeat answers the first withdrawal and starts nothing; the
// same key with another body is 409.

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

const address = '0x52908400098527886E0F7030069857D2E4169EE7'; // EIP-55 test vector
const order = { amountUsd: '40.00', targetChain: 'ethereum', targetAddress: address };

/** A user who passed KYC and set passcode 424242. */
async function verifiedUser(kycStatus: 'approved' | 'pending' = 'approved') {
  const subject = uniqueSubject('saver');
  const userId = await registerUser(api, subject);
  await api.request('PUT', '/v1/me/passcode', { as: subject, body: { passcode: '424242' } });
  await api.db.user.update({ where: { id: userId }, data: { kycStatus } });
  return { subject, userId };
}

const withdrawalsOf = (userId: string) => api.db.withdrawal.count({ where: { userId } });

describe('a withdrawal refused at the door', () => {
  it('is 403 with a wrong or missing passcode, and writes nothing', async () => {
    const { subject, userId } = await verifiedUser();
    expect((await api.request('POST', '/v1/withdrawals', { as: subject, body: { ...order, passcode: '000000' } })).status).toBe(403);
    expect((await api.request('POST', '/v1/withdrawals', { as: subject, body: order })).status).toBe(400);
    expect(await withdrawalsOf(userId)).toBe(0);
  });

  it('is 403 before KYC is approved', async () => {
    const { subject, userId } = await verifiedUser('pending');
    const reply = await api.request('POST', '/v1/withdrawals', { as: subject, body: { ...order, passcode: '424242' } });
    expect(reply.status).toBe(403);
    expect(reply.body.title).toBe('KYC not approved');
    expect(await withdrawalsOf(userId)).toBe(0);
  });

  it('is 400 for an amount or address the chain cannot take', async () => {
    const { subject, userId } = await verifiedUser();
    for (const change of [
      { amountUsd: '10.001' },
      { amountUsd: '0.00' },
      { amountUsd: '-5' },
      { amountUsd: 12 },
      { targetAddress: address.toLowerCase().replace('0x52908400098527886e', '0x52908400098527886F') }, // bad checksum
      { targetChain: 'solana' },
      { targetAddress: 'not an address' },
    ]) {
      const reply = await api.request('POST', '/v1/withdrawals', { as: subject, body: { ...order, passcode: '424242', ...change } });
      expect(reply.status, JSON.stringify(change)).toBe(400);
    }
    expect(await withdrawalsOf(userId)).toBe(0);
  });
});

describe('Idempotency-Key', () => {
  /** The state the saga's accept step leaves: the row and its idempotency key, in one transaction. */
  async function acceptedEarlier(userId: string, key: string) {
    const id = randomUUID();
    await api.db.$transaction([
      api.db.withdrawal.create({ data: { id, userId, amountUsd: '40.00', targetChain: 'ethereum', targetAddress: address } }),
      api.db.idempotencyKey.create({
        data: { userId, key, resourceType: 'withdrawal', resourceId: id, requestHash: requestHash('POST', '/v1/withdrawals', order) },
      }),
    ]);
    return id;
  }

  it('answers a repeat with the first withdrawal and starts no saga', async () => {
    const { subject, userId } = await verifiedUser();
    const key = randomUUID();
    const id = await acceptedEarlier(userId, key);
    const reply = await api.request('POST', '/v1/withdrawals', {
      as: subject,
      headers: { 'idempotency-key': key },
      // Same command in another key order and spacing: the hash is over the parsed body.
      raw: JSON.stringify({ passcode: '424242', targetAddress: address, targetChain: 'ethereum', amountUsd: '40.00' }),
    });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ id, amountUsd: '40.00', status: 'pending' });
    expect(reply.headers.get('idempotent-replayed')).toBe('true');
    expect(await withdrawalsOf(userId)).toBe(1);
    await expect(api.temporal.workflow.getHandle(`withdrawal-${id}`).describe()).rejects.toThrow(/not found/i);
  });

  it('answers 409 to the same key with another body, and starts nothing', async () => {
    const { subject, userId } = await verifiedUser();
    const key = randomUUID();
    await acceptedEarlier(userId, key);
    const reply = await api.request('POST', '/v1/withdrawals', {
      as: subject,
      headers: { 'idempotency-key': key },
      body: { ...order, amountUsd: '41.00', passcode: '424242' },
    });
    expect(reply.status).toBe(409);
    expect(await withdrawalsOf(userId)).toBe(1);
  });

  it('keeps each user to their own withdrawals: another user’s is 404', async () => {
    const first = await verifiedUser();
    const key = randomUUID();
    const id = await acceptedEarlier(first.userId, key);
    const other = await verifiedUser();
    const reply = await api.request('GET', `/v1/withdrawals/${id}`, { as: other.subject });
    expect(reply.status).toBe(404);
  });
});
