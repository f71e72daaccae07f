import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants, publicEncrypt, randomUUID } from 'node:crypto';
import { initiateDeveloperControlledWalletsClient } from '@circle-fin/developer-controlled-wallets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createCircleWallets } from '../../src/providers/circle/wallets.js';
import { eventually } from '../helpers/eventually.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

// The sandbox as the outside world: its control API, and the provider behaviours the SDK adapters rely on
// (credentials checked, idempotency enforced, faults that fail like the real services).

let sandbox: TestSandbox;
const env = loadConfig({ ...process.env });
const circleAuth = { authorization: `Bearer ${env.CIRCLE_API_KEY}`, 'content-type': 'application/json' };

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox.stop());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function ciphertext(): Promise<string> {
  const { body } = await call('GET', '/v1/w3s/config/entity/publicKey', undefined, circleAuth);
  const pem = (body!.data as { publicKey: string }).publicKey;
  return publicEncrypt(
    { key: pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    Buffer.from(env.CIRCLE_ENTITY_SECRET, 'hex'),
  ).toString('base64');
}

describe('sandbox control API', () => {
  it('refuses an on-chain transfer to an address no Circle wallet owns', async () => {
    const res = await call('POST', '/sandbox/chain/transfers', { chain: 'ethereum', toAddress: `0x${'1'.repeat(40)}`, amount: '1' });
    expect(res.status).toBe(404);
  });

  it('validates faults: a known provider, an operation of that provider, a kind', async () => {
    expect((await call('POST', '/sandbox/faults', { provider: 'alpaca', operation: 'createPayout', kind: 'http500' })).status).toBe(400);
    expect((await call('POST', '/sandbox/faults', { provider: 'stripe', operation: 'x', kind: 'http500' })).status).toBe(400);
    expect((await call('POST', '/sandbox/faults', { provider: 'alpaca', operation: 'createOrder', kind: 'explode' })).status).toBe(400);
    expect(
      (await call('POST', '/sandbox/faults', { provider: 'alpaca', operation: 'createOrder', kind: 'http500', times: 2 })).status,
    ).toBe(201);
    expect((await call('DELETE', '/sandbox/faults')).status).toBe(204);
    expect((await call('GET', '/sandbox/faults')).body).toEqual({ faults: [] });
  });

  it('applies the effect of a call whose answer times out, and counts it once', async () => {
    const id = `order-${randomUUID()}`;
    // The trading account starts empty: cash wired in from outside pays for the buy.
    await sandbox.control.brokerWire({ account: 'trading', amountUsd: '1000.00' });
    await sandbox.control.fault({ provider: 'alpaca', operation: 'createOrder', kind: 'timeout', holdMs: 50 });
    const alpacaHeaders = { 'apca-api-key-id': env.ALPACA_KEY_ID, 'apca-api-secret-key': env.ALPACA_SECRET_KEY };
    const order = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: id };
    expect((await call('POST', '/v2/orders', order, alpacaHeaders)).status).toBe(200);
    const duplicate = await call('POST', '/v2/orders', order, alpacaHeaders);
    expect(duplicate).toMatchObject({ status: 422, body: { code: 40010001 } });
    expect(await sandbox.control.effectCount('alpaca', 'createOrder', id)).toBe(1);
    expect((await sandbox.control.effects()).effects.find((e) => e.key === id)).toMatchObject({ count: 1, requests: 2 });
  });

  it('redelivers a webhook the endpoint refused, with the same notification id', async () => {
    const statuses = [500, 200, 200, 200];
    const seen: string[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push((JSON.parse(body) as { notificationId: string }).notificationId);
        res.writeHead(statuses.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      await sandbox.control.settings({ stepDelayMs: 5_000 });
      await sandbox.control.setWebhookUrl(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`);
      const wallet = await createCircleWallets(sandbox.config()).createWallet({
        userId: 'u',
        chain: 'solana',
        idempotencyKey: `w-${randomUUID()}`,
      });
      await sandbox.control.chainTransfer({ chain: 'solana', toAddress: wallet.address, amount: '2' });
      for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect(seen).toHaveLength(2);
      expect(seen[1]).toBe(seen[0]);
      expect((await sandbox.control.webhooks()).at(-1)).toMatchObject({ attempts: 2, delivered: true, lastStatus: 200 });
    } finally {
      await sandbox.control.setWebhookUrl(null);
      await sandbox.control.settings({ stepDelayMs: 40 });
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('forgets everything on reset', async () => {
    await sandbox.control.fault({ provider: 'openai', operation: 'chatCompletion', kind: 'reject' });
    await sandbox.control.reset();
    expect((await sandbox.control.effects()).effects).toEqual([]);
    expect((await call('GET', '/sandbox/faults')).body).toEqual({ faults: [] });
  });
});

describe('sandbox providers', () => {
  it('answers 401 in each provider dialect to wrong credentials', async () => {
    expect(await call('GET', '/v1/w3s/wallets', undefined, { authorization: 'Bearer TEST_API_KEY:no:no' })).toMatchObject({
      status: 401,
      body: { code: 401 },
    });
    expect(await call('GET', '/v2/account', undefined, { 'apca-api-key-id': 'x', 'apca-api-secret-key': 'y' })).toMatchObject({
      status: 401,
      body: { code: 40110000 },
    });
    expect(await call('GET', '/v1/journals/x', undefined, { authorization: 'Basic eDp5' })).toMatchObject({ status: 401 });
    expect(await call('POST', '/v1/chat/completions', { model: 'm', messages: [] }, { authorization: 'Bearer sk-no' })).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_api_key' } },
    });
  });

  it('refuses a reused entity-secret ciphertext with 156004', async () => {
    const secret = await ciphertext();
    const body = { idempotencyKey: randomUUID(), name: 'set', entitySecretCiphertext: secret };
    expect((await call('POST', '/v1/w3s/developer/walletSets', body, circleAuth)).status).toBe(201);
    const reused = await call('POST', '/v1/w3s/developer/walletSets', { ...body, idempotencyKey: randomUUID() }, circleAuth);
    expect(reused).toMatchObject({ status: 400, body: { code: 156004 } });
  });

  it('requires a UUID idempotency key on Mint and refuses its reuse for another request with 409', async () => {
    const payout = { destination: { type: 'wire', id: randomUUID() }, amount: { amount: '1.00', currency: 'USD' } };
    expect((await call('POST', '/v1/businessAccount/payouts', payout, circleAuth)).status).toBe(400);
    const bank = {
      idempotencyKey: randomUUID(),
      accountNumber: '1',
      routingNumber: '2',
      billingDetails: { name: 'n' },
      bankAddress: { country: 'US' },
    };
    expect((await call('POST', '/v1/businessAccount/banks/wires', bank, circleAuth)).status).toBe(201);
    expect((await call('POST', '/v1/businessAccount/banks/wires', { ...bank, accountNumber: '9' }, circleAuth)).status).toBe(409);
  });
});

describe('sandbox chain and Circle wallets: as strict as Circle', () => {
  const sepoliaUsdc = '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238';
  const counterfeit = '0x000000000000000000000000000000000000dEaD';
  const w3s = () =>
    initiateDeveloperControlledWalletsClient({ apiKey: env.CIRCLE_API_KEY, entitySecret: env.CIRCLE_ENTITY_SECRET, baseUrl: sandbox.url });
  const newWallet = (chain: 'ethereum' | 'solana' = 'ethereum') =>
    createCircleWallets(sandbox.config()).createWallet({ userId: 'u', chain, idempotencyKey: `w-${randomUUID()}` });
  const settled = (id: string) =>
    eventually(
      async () => (await w3s().getTransaction({ id })).data?.transaction,
      (t) => ['COMPLETE', 'FAILED'].includes(t.state),
    );
  const send = (walletId: string, token: { tokenId: string } | { tokenAddress: string; blockchain: 'ETH-SEPOLIA' }, amount: string) =>
    w3s().createTransaction({
      walletId,
      ...token,
      destinationAddress: `0x${'ab'.repeat(20)}`,
      amount: [amount],
      fee: { type: 'level', config: { feeLevel: 'MEDIUM' } },
      idempotencyKey: randomUUID(),
    } as Parameters<ReturnType<typeof w3s>['createTransaction']>[0]);

  it('names the token of every transfer: real USDC, a token that only calls itself USDC, the native coin, another symbol', async () => {
    const wallet = await newWallet();
    const sent = {
      usdc: await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: '1' }),
      fake: await sandbox.control.chainTransfer({
        chain: 'ethereum',
        toAddress: wallet.address,
        amount: '1',
        token: 'USDC',
        tokenAddress: counterfeit,
      }),
      native: await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: '0.5', token: 'ETH' }),
      other: await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: '3', token: 'EURC' }),
    };
    const tokens = Object.fromEntries(
      await Promise.all(Object.entries(sent).map(async ([k, tx]) => [k, (await w3s().getToken({ id: tx.tokenId })).data?.token] as const)),
    );
    expect(tokens.usdc).toMatchObject({
      symbol: 'USDC',
      blockchain: 'ETH-SEPOLIA',
      tokenAddress: sepoliaUsdc,
      decimals: 6,
      isNative: false,
    });
    expect(tokens.fake).toMatchObject({ symbol: 'USDC', blockchain: 'ETH-SEPOLIA', tokenAddress: counterfeit, isNative: false });
    expect(tokens.fake!.id).not.toBe(tokens.usdc!.id);
    expect(tokens.native).toMatchObject({ symbol: 'ETH', blockchain: 'ETH-SEPOLIA', isNative: true });
    expect(tokens.native!.tokenAddress ?? '').toBe('');
    expect(tokens.other).toMatchObject({ symbol: 'EURC', blockchain: 'ETH-SEPOLIA', isNative: false });
    expect(await call('GET', `/v1/w3s/tokens/${randomUUID()}`, undefined, circleAuth)).toMatchObject({ status: 404 });
  });

  it('puts several transfers in one transaction when told its hash, and lists them all by that hash', async () => {
    const [x, y] = [await newWallet(), await newWallet()];
    const first = await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: x.address, amount: '10' });
    const second = await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: y.address, amount: '5', txHash: first.txHash });
    expect(second.txHash).toBe(first.txHash);
    expect(second.id).not.toBe(first.id);
    const listed = (await w3s().listTransactions({ txHash: first.txHash, txType: 'INBOUND' })).data?.transactions ?? [];
    expect(listed.map((t) => t.id).sort()).toEqual([first.id, second.id].sort());
    const solana = await newWallet('solana');
    const wrongChain = await call('POST', '/sandbox/chain/transfers', {
      chain: 'solana',
      toAddress: solana.address,
      amount: '1',
      txHash: first.txHash,
    });
    expect(wrongChain.status).toBe(400);
  });

  it('lists each token a wallet holds, counting inbound transfers only once COMPLETE', async () => {
    const wallet = await newWallet();
    const usdc = await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: '2.5' });
    const fake = await sandbox.control.chainTransfer({
      chain: 'ethereum',
      toAddress: wallet.address,
      amount: '1000',
      token: 'USDC',
      tokenAddress: counterfeit,
    });
    await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: '9', finalState: 'FAILED' });
    await Promise.all([settled(usdc.id), settled(fake.id)]);
    const balances = (await w3s().getWalletTokenBalance({ id: wallet.id })).data?.tokenBalances ?? [];
    expect(balances.map((b) => [b.token.tokenAddress, b.amount]).sort()).toEqual(
      [
        [counterfeit, '1000'],
        [sepoliaUsdc, '2.5'],
      ].sort(),
    );
  });

  it('refuses to send more of a token than the wallet holds, as Circle does (155201)', async () => {
    const wallet = await newWallet();
    await sandbox.control.settings({ stepDelayMs: 1_000 });
    const usdc = await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: '10' });
    const fake = await sandbox.control.chainTransfer({
      chain: 'ethereum',
      toAddress: wallet.address,
      amount: '1000',
      token: 'USDC',
      tokenAddress: counterfeit,
    });
    // Not yet COMPLETE: nothing to send.
    await expect(send(wallet.id, { tokenId: usdc.tokenId }, '1')).rejects.toMatchObject({ status: 400, code: 155201 });
    await sandbox.control.settings({ stepDelayMs: 40 });
    await Promise.all([settled(usdc.id), settled(fake.id)]);

    await send(wallet.id, { tokenAddress: sepoliaUsdc, blockchain: 'ETH-SEPOLIA' }, '6');
    // The 6 in flight count against the balance; 1,000 of another token named USDC pay for nothing.
    await expect(send(wallet.id, { tokenId: usdc.tokenId }, '4.000001')).rejects.toMatchObject({ status: 400, code: 155201 });
    const rest = await send(wallet.id, { tokenId: usdc.tokenId }, '4');
    expect(rest.data?.id).toBeDefined();
    await expect(send(wallet.id, { tokenId: randomUUID() }, '1')).rejects.toMatchObject({ status: 400 });
    expect(await sandbox.control.duplicatedEffects()).toEqual([]);
  });
});
