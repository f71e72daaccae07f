import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantBuyingPower, startStack, type Stack } from '../helpers/stack.js';
import { registerUser, startApi, uniqueSubject, type Api } from './harness.js';

// Withdrawal limits from configuration: a minimum amount, a per-user daily total of non-failed withdrawals, and
// addresses that can never be right. Each refusal is a 4xx problem that writes nothing and starts no saga.

const address = '0x52908400098527886E0F7030069857D2E4169EE7';
const treasury = '0x00000000219ab540356cBB839Cbe05303d7705Fa';
const order = { amountUsd: '40.00', targetChain: 'ethereum', targetAddress: address, passcode: '424242' };

let stack: Stack;
let api: Api;
beforeAll(async () => {
  // The daily limit is the saga's accept step: the whole stack, worker included, with the test's limits.
  stack = await startStack({
    name: 'withdrawal-limits',
    env: { WITHDRAWAL_DAILY_LIMIT_USD: '100.00', WITHDRAWAL_REFUSED_ADDRESSES: treasury },
  });
  api = await startApi({ stack });
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});

async function verifiedUser() {
  const subject = uniqueSubject('limited');
  const userId = await registerUser(api, subject);
  await api.request('PUT', '/v1/me/passcode', { as: subject, body: { passcode: '424242' } });
  await api.db.user.update({ where: { id: userId }, data: { kycStatus: 'approved' } });
  return { subject, userId };
}
const withdrawalsOf = (userId: string) => api.db.withdrawal.count({ where: { userId } });

describe('a withdrawal under the minimum', () => {
  it('is 400 below WITHDRAWAL_MIN_USD (1.00 by default), naming the field', async () => {
    const { subject, userId } = await verifiedUser();
    const reply = await api.request('POST', '/v1/withdrawals', { as: subject, body: { ...order, amountUsd: '0.99' } });
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([{ path: 'body.amountUsd', message: 'at least 1.00 USD' }]);
    expect(await withdrawalsOf(userId)).toBe(0);
  });
});

describe('a withdrawal to an address that can never be right', () => {
  it('is 400 for the zero address, a USDC contract, the treasury, a Solana program or an off-curve address', async () => {
    const { subject, userId } = await verifiedUser();
    for (const [targetChain, targetAddress] of [
      ['ethereum', '0x0000000000000000000000000000000000000000'],
      ['ethereum', '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238'],
      ['ethereum', treasury.toLowerCase()],
      ['solana', '11111111111111111111111111111111'],
      ['solana', '2kzvcTkdKNgQZFjZPjgZ6vsnEvSXD5HkVKEkgXcofMwx'],
    ]) {
      const reply = await api.request('POST', '/v1/withdrawals', { as: subject, body: { ...order, targetChain, targetAddress } });
      expect(reply.status, targetAddress).toBe(400);
      expect(reply.body.errors[0].path, targetAddress).toBe('body.targetAddress');
    }
    expect(await withdrawalsOf(userId)).toBe(0);
  });

  it('is 400 for the deposit address of one of our wallets, the caller’s own or anyone’s', async () => {
    const { subject, userId } = await verifiedUser();
    const other = await verifiedUser();
    const depositAddress = '0x' + Buffer.from(uniqueSubject('w')).toString('hex').padEnd(40, '0').slice(0, 40);
    await api.db.wallet.create({
      data: { userId: other.userId, chain: 'ethereum', address: depositAddress, circleWalletId: uniqueSubject('cw'), status: 'active' },
    });
    const reply = await api.request('POST', '/v1/withdrawals', {
      as: subject,
      body: { ...order, targetAddress: depositAddress.toUpperCase().replace('0X', '0x') },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([{ path: 'body.targetAddress', message: 'one of our own addresses' }]);
    expect(await withdrawalsOf(userId)).toBe(0);
  });
});

describe('the daily limit', () => {
  it('is 422 when today’s non-failed withdrawals and this one pass WITHDRAWAL_DAILY_LIMIT_USD', async () => {
    const { subject, userId } = await verifiedUser();
    const yesterday = new Date(Date.now() - 36 * 3600 * 1000);
    await api.db.withdrawal.createMany({
      data: [
        { userId, amountUsd: '45.00', targetChain: 'ethereum', targetAddress: address, status: 'pending' },
        { userId, amountUsd: '15.00', targetChain: 'ethereum', targetAddress: address, status: 'complete' },
        { userId, amountUsd: '90.00', targetChain: 'ethereum', targetAddress: address, status: 'failed' }, // released
        { userId, amountUsd: '90.00', targetChain: 'ethereum', targetAddress: address, status: 'complete', createdAt: yesterday },
      ],
    });
    const reply = await api.request('POST', '/v1/withdrawals', { as: subject, body: { ...order, amountUsd: '40.01' } });
    expect(reply.status).toBe(422);
    expect(reply.body.title).toBe('Daily withdrawal limit');
    expect(reply.body.detail).toContain('40.00 USD'); // what is left today
    expect(await withdrawalsOf(userId)).toBe(4);
  });

  it('cannot be passed by two requests at once: of two 60.00 withdrawals under a 100.00 limit exactly one is accepted', async () => {
    const { subject, userId } = await verifiedUser();
    await grantBuyingPower(stack, userId, '500.00');
    const send = () =>
      api.request('POST', '/v1/withdrawals', {
        as: subject,
        headers: { 'idempotency-key': randomUUID() },
        body: { ...order, amountUsd: '60.00' },
      });
    const replies = await Promise.all([send(), send()]);
    expect(replies.map((r) => r.status).sort()).toEqual([202, 422]);
    expect(replies.find((r) => r.status === 422)!.body.title).toBe('Daily withdrawal limit');
    expect(await withdrawalsOf(userId)).toBe(1);
    expect((await api.db.balance.findUniqueOrThrow({ where: { userId } })).buyingPowerUsd.toFixed(2)).toBe('440.00');
  });
});
