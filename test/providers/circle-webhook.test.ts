import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCircleWallets } from '../../src/providers/circle/wallets.js';
import { circlePublicKeyFetcher, verifyCircleWebhook, type CirclePublicKeyFetcher } from '../../src/providers/circle/webhook.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { eventually } from '../helpers/eventually.js';

// Circle's v2 notifications as the sandbox delivers them, verified the way the API verifies them.

interface Received {
  rawBody: Buffer;
  headers: http.IncomingHttpHeaders;
}

let sandbox: TestSandbox;
let receiver: http.Server;
const received: Received[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ rawBody: Buffer.concat(chunks), headers: req.headers });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  sandbox.setWebhookUrl(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/webhooks/circle`);
});
afterAll(async () => {
  await sandbox.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

async function inboundNotifications(): Promise<Received[]> {
  const wallet = await createCircleWallets(sandbox.config()).createWallet({
    userId: 'u',
    chain: 'ethereum',
    idempotencyKey: `hook-${randomUUID()}`,
  });
  const sent = await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: '3.00' });
  const mine = () =>
    received.filter((r) => (JSON.parse(r.rawBody.toString()) as { notification: { id: string } }).notification.id === sent.id);
  return eventually(
    async () => mine(),
    (list) => list.length >= 2,
  );
}

describe('Circle webhook verification', () => {
  it('verifies an inbound-transfer notification with the public key Circle serves for its key id', async () => {
    const [confirmed, complete] = await inboundNotifications();
    const fetchPublicKey = circlePublicKeyFetcher(sandbox.config());
    expect(await verifyCircleWebhook(confirmed!.rawBody, confirmed!.headers, fetchPublicKey)).toBe(true);
    expect(await verifyCircleWebhook(complete!.rawBody, complete!.headers, fetchPublicKey)).toBe(true);

    const body = JSON.parse(complete!.rawBody.toString()) as {
      notificationType: string;
      version: number;
      notification: { state: string; transactionType: string };
    };
    expect(body).toMatchObject({
      notificationType: 'transactions.inbound',
      version: 2,
      notification: { state: 'COMPLETE', transactionType: 'INBOUND' },
    });
  });

  it('refuses a tampered body, a foreign signature and an unknown key id', async () => {
    const [note] = await inboundNotifications();
    const fetchPublicKey = circlePublicKeyFetcher(sandbox.config());
    const tampered = Buffer.from(note!.rawBody.toString().replace('"3.00"', '"3000.00"'));
    expect(await verifyCircleWebhook(tampered, note!.headers, fetchPublicKey)).toBe(false);
    expect(
      await verifyCircleWebhook(
        note!.rawBody,
        { ...note!.headers, 'x-circle-signature': Buffer.alloc(70, 1).toString('base64') },
        fetchPublicKey,
      ),
    ).toBe(false);
    expect(await verifyCircleWebhook(note!.rawBody, { ...note!.headers, 'x-circle-key-id': randomUUID() }, fetchPublicKey)).toBe(false);
    expect(await verifyCircleWebhook(note!.rawBody, {}, fetchPublicKey)).toBe(false);
  });

  it('fetches each key once however many notifications it signs', async () => {
    const notes = await inboundNotifications();
    const real = circlePublicKeyFetcher(sandbox.config());
    const fetched: string[] = [];
    const counting: CirclePublicKeyFetcher = (keyId) => (fetched.push(keyId), real(keyId));
    for (const note of notes) expect(await verifyCircleWebhook(note.rawBody, note.headers, counting)).toBe(true);
    expect(fetched).toHaveLength(1);
  });
});
