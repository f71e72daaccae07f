import { randomBytes, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCircleWebhook, type CirclePublicKeyFetcher } from '../../src/providers/circle/webhook.js';
import { registerUser, startApi, testConfig, uniqueSubject, type Api } from '../api/harness.js';

// Circle's webhook under abuse: made-up key ids do not reach Circle each time, a redelivered notification starts
// and signals nothing again (also when two API processes receive it), and only a verified user with a wallet on
// the chain may report a deposit.

describe('unknown Circle key ids', () => {
  const headers = (keyId: string) => ({ 'x-circle-key-id': keyId, 'x-circle-signature': Buffer.from('forged').toString('base64') });

  it('are remembered for a while: the same made-up id asks Circle once until the TTL has passed', async () => {
    let clock = 1_000_000;
    const asked: string[] = [];
    const unknown: CirclePublicKeyFetcher = async (keyId) => {
      asked.push(keyId);
      throw new Error(`Circle public key ${keyId}: HTTP 404`);
    };
    const options = { unknownKeyTtlMs: 60_000, now: () => clock };
    const keyId = randomUUID();
    for (let i = 0; i < 20; i++) expect(await verifyCircleWebhook(Buffer.from('{}'), headers(keyId), unknown, options)).toBe(false);
    expect(asked).toEqual([keyId]);
    clock += 60_001;
    expect(await verifyCircleWebhook(Buffer.from('{}'), headers(keyId), unknown, options)).toBe(false);
    expect(asked).toEqual([keyId, keyId]);
  });

  it('a flood of different made-up ids asks Circle at most the budget per minute', async () => {
    let clock = 5_000_000;
    let asked = 0;
    const unknown: CirclePublicKeyFetcher = async () => {
      asked++;
      throw new Error('HTTP 404');
    };
    const options = { unknownKeyTtlMs: 60_000, keyFetchesPerMinute: 5, now: () => clock };
    for (let i = 0; i < 100; i++) expect(await verifyCircleWebhook(Buffer.from('{}'), headers(randomUUID()), unknown, options)).toBe(false);
    expect(asked).toBe(5);
    clock += 60_001; // a new minute: a new budget
    for (let i = 0; i < 10; i++) await verifyCircleWebhook(Buffer.from('{}'), headers(randomUUID()), unknown, options);
    expect(asked).toBe(10);
  });
});

/** A Temporal client that only counts the starts and signals the API asks for (no worker runs here). */
function countingTemporal() {
  const calls: string[] = [];
  const temporal = {
    withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(),
    workflow: {
      startUpdateWithStart: async () => {
        calls.push('start');
        return {};
      },
      executeUpdateWithStart: async () => {
        calls.push('execute');
        throw new Error('no worker in this test');
      },
      // No run exists yet: the API's look at the last run (is it abandoned?) finds none.
      getHandle: (workflowId: string) => ({
        signal: async () => void calls.push('signal'),
        describe: async () => {
          throw new WorkflowNotFoundError('no run', workflowId, undefined);
        },
      }),
    },
  } as unknown as Client;
  return { temporal, calls };
}

describe('Circle notifications delivered twice', () => {
  let first: Api;
  let second: Api;
  const counting = countingTemporal();
  beforeAll(async () => {
    const config = testConfig();
    const verifyCircleWebhook = async () => true; // the signature is webhooks.test.ts's subject; here it is valid
    first = await startApi({ config, deps: { temporal: counting.temporal, verifyCircleWebhook } });
    second = await startApi({ config, deps: { temporal: counting.temporal, verifyCircleWebhook } });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  async function inboundNotification() {
    const userId = await registerUser(first, uniqueSubject('redelivered'));
    const wallet = await first.db.wallet.create({
      data: { userId, chain: 'ethereum', address: `0x${randomBytes(20).toString('hex')}`, circleWalletId: randomUUID(), status: 'active' },
    });
    return JSON.stringify({
      notificationId: randomUUID(),
      notificationType: 'transactions.inbound',
      notification: {
        id: randomUUID(),
        blockchain: 'ETH-SEPOLIA',
        state: 'CONFIRMED',
        transactionType: 'INBOUND',
        walletId: wallet.circleWalletId,
        destinationAddress: wallet.address,
        amounts: ['5'],
        txHash: `0x${randomBytes(32).toString('hex')}`,
      },
    });
  }
  const deliver = (api: Api, raw: string) =>
    api.request('POST', '/v1/webhooks/circle', { raw, headers: { 'x-circle-key-id': 'k', 'x-circle-signature': 's' } });

  it('start the deposit saga once, however often and to whichever API process Circle redelivers', async () => {
    const raw = await inboundNotification();
    counting.calls.length = 0;
    expect((await deliver(first, raw)).status).toBe(200);
    expect(counting.calls).toHaveLength(1);
    const redeliveries = await Promise.all([deliver(first, raw), deliver(second, raw), deliver(second, raw)]);
    for (const reply of redeliveries) expect(reply).toMatchObject({ status: 200, body: { received: true } });
    expect(counting.calls).toHaveLength(1);
  });

  it('a notification whose handling failed is not remembered: Circle’s redelivery is handled', async () => {
    const raw = await inboundNotification();
    const failing = {
      ...counting.temporal,
      workflow: {
        ...counting.temporal.workflow,
        startUpdateWithStart: async () => {
          throw new Error('Temporal is down');
        },
      },
    } as unknown as Client;
    const broken = await startApi({ config: first.config, deps: { temporal: failing, verifyCircleWebhook: async () => true } });
    try {
      expect((await deliver(broken, raw)).status).toBeGreaterThanOrEqual(500);
    } finally {
      await broken.close();
    }
    counting.calls.length = 0;
    expect((await deliver(first, raw)).status).toBe(200);
    expect(counting.calls).toHaveLength(1);
  });
});

describe('POST /v1/deposits', () => {
  let api: Api;
  const counting = countingTemporal();
  beforeAll(async () => {
    api = await startApi({ config: testConfig({ API_ACCEPT_TIMEOUT_SECONDS: '1' }), deps: { temporal: counting.temporal } });
  });
  afterAll(() => api?.close());
  const txHash = () => `0x${randomBytes(32).toString('hex')}`;

  async function user(kycStatus: 'approved' | 'pending' | 'not_started', chains: ('ethereum' | 'solana')[]) {
    const subject = uniqueSubject(`reporter-${kycStatus}`);
    const id = await registerUser(api, subject);
    await api.db.user.update({ where: { id }, data: { kycStatus } });
    for (const chain of chains) {
      await api.db.wallet.create({
        data: { userId: id, chain, address: `0x${randomBytes(20).toString('hex')}`, circleWalletId: randomUUID(), status: 'active' },
      });
    }
    return { subject, id };
  }
  const depositsOf = (userId: string) => api.db.deposit.count({ where: { userId } });

  it('is 403 for a user whose KYC is not approved, even with a wallet, and starts nothing', async () => {
    for (const kyc of ['not_started', 'pending'] as const) {
      const reporter = await user(kyc, ['ethereum']);
      counting.calls.length = 0;
      const reply = await api.request('POST', '/v1/deposits', { as: reporter.subject, body: { chain: 'ethereum', txHash: txHash() } });
      expect(reply).toMatchObject({ status: 403, body: { title: 'KYC not approved' } });
      expect(counting.calls).toEqual([]);
      expect(await depositsOf(reporter.id)).toBe(0);
    }
  });

  it('is 404 for an approved user without a wallet on that chain, and starts nothing', async () => {
    const reporter = await user('approved', ['solana']);
    counting.calls.length = 0;
    const reply = await api.request('POST', '/v1/deposits', { as: reporter.subject, body: { chain: 'ethereum', txHash: txHash() } });
    expect(reply.status).toBe(404);
    expect(reply.headers.get('content-type')).toContain('application/problem+json');
    expect(counting.calls).toEqual([]);
    expect(await depositsOf(reporter.id)).toBe(0);
  });

  it('reaches the saga for an approved user with a wallet on that chain', async () => {
    const reporter = await user('approved', ['ethereum']);
    counting.calls.length = 0;
    await api.request('POST', '/v1/deposits', { as: reporter.subject, body: { chain: 'ethereum', txHash: txHash() } });
    expect(counting.calls).toEqual(['execute']);
  });
});
