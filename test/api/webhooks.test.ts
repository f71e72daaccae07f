import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCircleWallets } from '../../src/providers/circle/wallets.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { eventually } from '../helpers/eventually.js';
import { registerUser, startApi, testConfig, uniqueSubject, type Api } from './harness.js';

// Circle's webhook: authenticated only by its signature over the raw body. A notification that does not verify
// is 401 and changes nothing: no deposit row, no saga.

let api: Api;
let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  api = await startApi({ config: testConfig({ CIRCLE_WALLETS_BASE_URL: sandbox.url }) });
  await sandbox.control.setWebhookUrl(`${api.url}/v1/webhooks/circle`);
});
afterAll(async () => {
  await api?.close();
  await sandbox?.stop();
});

async function inboundToNewWallet() {
  const userId = await registerUser(api, uniqueSubject('depositor'));
  const wallet = await api.db.wallet.create({
    data: { userId, chain: 'ethereum', address: `0x${randomBytes(20).toString('hex')}`, circleWalletId: randomUUID(), status: 'active' },
  });
  const txHash = `0x${randomBytes(32).toString('hex')}`;
  const body = JSON.stringify({
    subscriptionId: randomUUID(),
    notificationId: randomUUID(),
    notificationType: 'transactions.inbound',
    notification: {
      id: randomUUID(),
      blockchain: 'ETH-SEPOLIA',
      state: 'CONFIRMED',
      transactionType: 'INBOUND',
      walletId: wallet.circleWalletId,
      destinationAddress: wallet.address,
      amounts: ['25.5'],
      txHash,
    },
    timestamp: new Date().toISOString(),
    version: 2,
  });
  return { userId, txHash, body };
}

describe('POST /v1/webhooks/circle', () => {
  it('answers HEAD, as Circle checks a subscription endpoint first', async () => {
    expect((await api.request('HEAD', '/v1/webhooks/circle')).status).toBe(200);
  });

  it('refuses a notification whose signature does not verify, and starts nothing', async () => {
    const { userId, txHash, body } = await inboundToNewWallet();
    for (const headers of [
      {} as Record<string, string>,
      { 'x-circle-key-id': randomUUID(), 'x-circle-signature': Buffer.from('forged').toString('base64') },
    ]) {
      const reply = await api.request('POST', '/v1/webhooks/circle', { raw: body, headers });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect(await api.db.deposit.count({ where: { userId } })).toBe(0);
    await expect(api.temporal.workflow.getHandle(`deposit-ethereum-${txHash}`).describe()).rejects.toThrow(/not found/i);
  });

  it('needs no bearer token', async () => {
    const reply = await api.request('POST', '/v1/webhooks/circle', { raw: '{}' });
    expect(reply.headers.get('www-authenticate')).toBeNull();
  });

  it('accepts what Circle signs, and a transfer to a wallet we do not know starts nothing', async () => {
    const wallets = createCircleWallets(sandbox.config());
    const stranger = await wallets.createWallet({ userId: randomUUID(), chain: 'ethereum', idempotencyKey: randomUUID() });
    const transfer = await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: stranger.address, amount: '5' });

    const deliveries = await eventually(
      () => sandbox.control.webhooks(),
      (all) => all.some((d) => d.transactionId === transfer.id && d.state === 'COMPLETE' && d.lastStatus !== undefined),
    );
    const forTransfer = deliveries.filter((d) => d.transactionId === transfer.id);
    expect(forTransfer.length).toBeGreaterThan(0);
    expect(forTransfer.every((d) => d.delivered && d.lastStatus === 200)).toBe(true);
    expect(await api.db.deposit.count({ where: { txHash: transfer.txHash.toLowerCase() } })).toBe(0);
    await expect(api.temporal.workflow.getHandle(`deposit-ethereum-${transfer.txHash.toLowerCase()}`).describe()).rejects.toThrow(
      /not found/i,
    );
  });
});
