import { randomUUID } from 'node:crypto';
import bs58 from 'bs58';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCircleWallets } from '../../src/providers/circle/wallets.js';
import { idempotencyUuid } from '../../src/providers/idempotency.js';
import type { WalletsPort } from '../../src/providers/ports.js';
import { toChecksumAddress } from '../../src/sandbox/chain.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { eventually } from '../helpers/eventually.js';
import { providerError } from './support.js';

// Circle Programmable Wallets through the official SDK adapter, against the sandbox.

let sandbox: TestSandbox;
let wallets: WalletsPort;
const destination = toChecksumAddress('ab'.repeat(20));

beforeAll(async () => {
  sandbox = await startTestSandbox();
  wallets = createCircleWallets(sandbox.config());
});
afterEach(() => sandbox.control.clearFaults());
afterAll(() => sandbox.stop());

const key = (step: string) => `test-${randomUUID()}:${step}`;
const sepoliaUsdc = '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238';
const counterfeitUsdc = '0x000000000000000000000000000000000000dEaD';

/** A wallet that holds `amount` USDC (inbound on chain, COMPLETE): Circle sends only what a wallet holds. */
async function fundedWallet(chain: 'ethereum' | 'solana', amount: string, userId: string = randomUUID()) {
  const wallet = await wallets.createWallet({ userId, chain, idempotencyKey: key('wallet') });
  const funding = await sandbox.control.chainTransfer({ chain, toAddress: wallet.address, amount });
  await eventually(
    () => wallets.getTransfer(funding.id),
    (t) => t.state === 'complete',
  );
  return wallet;
}

describe('Circle wallets adapter', () => {
  it('gives a user an EIP-55 ethereum address and a base58 solana address', async () => {
    const eth = await wallets.createWallet({ userId: randomUUID(), chain: 'ethereum', idempotencyKey: key('eth') });
    const sol = await wallets.createWallet({ userId: randomUUID(), chain: 'solana', idempotencyKey: key('sol') });

    expect(eth).toMatchObject({ chain: 'ethereum', state: 'LIVE' });
    expect(eth.address).toBe(toChecksumAddress(eth.address));
    expect(eth.address).not.toBe(eth.address.toLowerCase());
    expect(sol).toMatchObject({ chain: 'solana', state: 'LIVE' });
    expect(bs58.decode(sol.address)).toHaveLength(32);
    expect(await wallets.getWallet(eth.id)).toEqual(eth);
  });

  it('creates one wallet however often the same step is retried', async () => {
    const idempotencyKey = key('create-wallet');
    const first = await wallets.createWallet({ userId: 'user-1', chain: 'ethereum', idempotencyKey });
    const again = await wallets.createWallet({ userId: 'user-1', chain: 'ethereum', idempotencyKey });

    expect(again.id).toBe(first.id);
    expect(await sandbox.control.effectCount('circle-wallets', 'createWallets', idempotencyUuid(idempotencyKey))).toBe(1);
  });

  it('refuses the same key for a different wallet as a conflict', async () => {
    const idempotencyKey = key('create-wallet');
    await wallets.createWallet({ userId: 'user-2', chain: 'ethereum', idempotencyKey });
    const error = await providerError(wallets.createWallet({ userId: 'user-2', chain: 'solana', idempotencyKey }));
    expect(error).toMatchObject({ kind: 'conflict', retryable: false });
  });

  it('reports an unknown wallet as not found', async () => {
    const error = await providerError(wallets.getWallet(randomUUID()));
    expect(error).toMatchObject({ provider: 'circle-wallets', kind: 'not_found', retryable: false });
  });

  it('finds an inbound USDC transfer by its hash and sees it complete', async () => {
    const wallet = await wallets.createWallet({ userId: 'user-3', chain: 'ethereum', idempotencyKey: key('wallet') });
    const sent = await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address.toLowerCase(), amount: '25.50' });

    const seen = await wallets.listInboundTransfers({ chain: 'ethereum', txHash: sent.txHash });
    expect(seen).toEqual([
      expect.objectContaining({
        id: sent.id,
        direction: 'inbound',
        walletId: wallet.id,
        amount: '25.50',
        destinationAddress: wallet.address,
      }),
    ]);
    expect(seen[0]!.token).toMatchObject({ id: sent.tokenId, symbol: 'USDC', address: sepoliaUsdc, isNative: false, isUsdc: true });
    expect(sent.txHash).toMatch(/^0x[0-9a-f]{64}$/);

    const settled = await eventually(
      () => wallets.getTransfer(sent.id),
      (t) => t.state !== 'pending',
    );
    expect(settled).toMatchObject({ state: 'complete', providerState: 'COMPLETE', txHash: sent.txHash, token: { isUsdc: true } });
  });

  it('lists every inbound transfer of a transaction and tells USDC by its contract, never by its symbol', async () => {
    const x = await wallets.createWallet({ userId: randomUUID(), chain: 'ethereum', idempotencyKey: key('wallet') });
    const y = await wallets.createWallet({ userId: randomUUID(), chain: 'ethereum', idempotencyKey: key('wallet') });
    const usdc = await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: x.address, amount: '1' });
    const fake = await sandbox.control.chainTransfer({
      chain: 'ethereum',
      toAddress: y.address,
      amount: '2',
      txHash: usdc.txHash,
      token: 'USDC',
      tokenAddress: counterfeitUsdc,
    });
    const native = await sandbox.control.chainTransfer({
      chain: 'ethereum',
      toAddress: x.address,
      amount: '0.1',
      txHash: usdc.txHash,
      token: 'ETH',
    });

    const seen = await wallets.listInboundTransfers({ chain: 'ethereum', txHash: usdc.txHash });
    const byId = new Map(seen.map((t) => [t.id, t]));
    expect(seen).toHaveLength(3);
    expect(byId.get(usdc.id)).toMatchObject({ walletId: x.id, amount: '1', token: { isUsdc: true, address: sepoliaUsdc } });
    expect(byId.get(fake.id)).toMatchObject({
      walletId: y.id,
      amount: '2',
      token: { isUsdc: false, symbol: 'USDC', address: counterfeitUsdc },
    });
    expect(byId.get(native.id)).toMatchObject({ walletId: x.id, amount: '0.1', token: { isUsdc: false, symbol: 'ETH', isNative: true } });
  });

  it('finds no inbound transfer for a hash Circle has not seen', async () => {
    expect(await wallets.listInboundTransfers({ chain: 'solana', txHash: bs58.encode(Buffer.alloc(64, 7)) })).toEqual([]);
  });

  it('sends the configured USDC even when the wallet holds more of a token that only calls itself USDC', async () => {
    const wallet = await wallets.createWallet({ userId: randomUUID(), chain: 'ethereum', idempotencyKey: key('wallet') });
    // The airdrop arrives first, so it is the first balance named USDC.
    const airdrop = await sandbox.control.chainTransfer({
      chain: 'ethereum',
      toAddress: wallet.address,
      amount: '1000',
      token: 'USDC',
      tokenAddress: counterfeitUsdc,
    });
    await eventually(
      () => wallets.getTransfer(airdrop.id),
      (t) => t.state === 'complete',
    );
    const real = await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: '20' });
    await eventually(
      () => wallets.getTransfer(real.id),
      (t) => t.state === 'complete',
    );

    const sent = await wallets.sendUsdc({
      walletId: wallet.id,
      chain: 'ethereum',
      destinationAddress: destination,
      amountUsdc: '5',
      idempotencyKey: key('send'),
    });
    const read = await wallets.getTransfer(sent.id);
    expect(read.token).toMatchObject({ id: real.tokenId, address: sepoliaUsdc, isUsdc: true });

    const withTokenId = createCircleWallets(sandbox.config({ CIRCLE_USDC_TOKEN_ID_ETHEREUM: real.tokenId }));
    const again = await withTokenId.sendUsdc({
      walletId: wallet.id,
      chain: 'ethereum',
      destinationAddress: destination,
      amountUsdc: '5',
      idempotencyKey: key('send'),
    });
    expect((await wallets.getTransfer(again.id)).token).toMatchObject({ id: real.tokenId, isUsdc: true });
    // 10 of the 20 real USDC are on their way out; the 1,000 of the other token were never touched.
    await expect(
      wallets.sendUsdc({
        walletId: wallet.id,
        chain: 'ethereum',
        destinationAddress: destination,
        amountUsdc: '10.01',
        idempotencyKey: key('send'),
      }),
    ).rejects.toMatchObject({ kind: 'rejected', details: { code: 155201 } });
  });

  it('sends USDC out of a wallet and follows it to COMPLETE with a tx hash', async () => {
    const wallet = await fundedWallet('ethereum', '10.25', 'user-4');
    const transfer = await wallets.sendUsdc({
      walletId: wallet.id,
      chain: 'ethereum',
      destinationAddress: destination,
      amountUsdc: '10.25',
      idempotencyKey: key('send'),
    });

    expect(transfer).toMatchObject({
      state: 'pending',
      providerState: 'INITIATED',
      direction: 'outbound',
      amount: '10.25',
      token: { isUsdc: true },
    });
    const done = await eventually(
      () => wallets.getTransfer(transfer.id),
      (t) => t.state === 'complete',
    );
    expect(done).toMatchObject({ state: 'complete', walletId: wallet.id, destinationAddress: destination });
    expect(done.txHash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('sends USDC from a solana wallet with a base58 signature as hash', async () => {
    const wallet = await fundedWallet('solana', '1', 'user-5');
    const other = await wallets.createWallet({ userId: 'user-6', chain: 'solana', idempotencyKey: key('wallet') });
    const transfer = await wallets.sendUsdc({
      walletId: wallet.id,
      chain: 'solana',
      destinationAddress: other.address,
      amountUsdc: '1',
      idempotencyKey: key('send'),
    });
    const done = await eventually(
      () => wallets.getTransfer(transfer.id),
      (t) => t.state === 'complete',
    );
    expect(bs58.decode(done.txHash!)).toHaveLength(64);
  });

  it('sends once when the answer times out and the step is retried', async () => {
    const wallet = await fundedWallet('ethereum', '5', 'user-7');
    const input = {
      walletId: wallet.id,
      chain: 'ethereum' as const,
      destinationAddress: destination,
      amountUsdc: '5',
      idempotencyKey: key('send'),
    };
    await sandbox.control.fault({ provider: 'circle-wallets', operation: 'createTransaction', kind: 'timeout' });

    const error = await providerError(wallets.sendUsdc(input));
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });

    const retried = await wallets.sendUsdc(input);
    expect(retried.state).not.toBe('failed');
    expect(await sandbox.control.effectCount('circle-wallets', 'createTransaction', idempotencyUuid(input.idempotencyKey))).toBe(1);
  });

  it('reports insufficient funds as a rejection that is not retried', async () => {
    const wallet = await fundedWallet('ethereum', '4.99', 'user-8');
    const error = await providerError(
      wallets.sendUsdc({
        walletId: wallet.id,
        chain: 'ethereum',
        destinationAddress: destination,
        amountUsdc: '5',
        idempotencyKey: key('send'),
      }),
    );
    expect(error).toMatchObject({ kind: 'rejected', retryable: false, details: { status: 400, code: 155201 } });
  });

  it('rejects a destination address that is not an address on that chain', async () => {
    const wallet = await wallets.createWallet({ userId: 'user-9', chain: 'ethereum', idempotencyKey: key('wallet') });
    const error = await providerError(
      wallets.sendUsdc({
        walletId: wallet.id,
        chain: 'ethereum',
        destinationAddress: 'not-an-address',
        amountUsdc: '5',
        idempotencyKey: key('send'),
      }),
    );
    expect(error).toMatchObject({ kind: 'rejected', details: { code: 155219 } });
  });

  it('turns a Circle outage into a retryable failure on every read', async () => {
    const wallet = await wallets.createWallet({ userId: 'user-10', chain: 'ethereum', idempotencyKey: key('wallet') });
    await sandbox.control.fault({ provider: 'circle-wallets', operation: 'getWallet', kind: 'http500' });
    await sandbox.control.fault({ provider: 'circle-wallets', operation: 'getTransaction', kind: 'http500' });
    await sandbox.control.fault({ provider: 'circle-wallets', operation: 'listTransactions', kind: 'timeout' });
    await sandbox.control.fault({ provider: 'circle-wallets', operation: 'createWallets', kind: 'http500' });

    expect(await providerError(wallets.getWallet(wallet.id))).toMatchObject({
      kind: 'unavailable',
      retryable: true,
      details: { status: 500 },
    });
    expect(await providerError(wallets.getTransfer(randomUUID()))).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(await providerError(wallets.listInboundTransfers({ chain: 'ethereum', txHash: `0x${'1'.repeat(64)}` }))).toMatchObject({
      kind: 'timeout',
      retryable: true,
    });
    expect(await providerError(wallets.createWallet({ userId: 'user-10', chain: 'solana', idempotencyKey: key('wallet') }))).toMatchObject({
      kind: 'unavailable',
    });
  });

  it('reports a wrong API key as an auth failure', async () => {
    const wrong = createCircleWallets(sandbox.config({ CIRCLE_API_KEY: 'TEST_API_KEY:wrong:key' }));
    expect(await providerError(wrong.getWallet(randomUUID()))).toMatchObject({ kind: 'auth', retryable: false, details: { status: 401 } });
  });

  it('reports a wrong entity secret as an auth failure', async () => {
    const wrong = createCircleWallets(sandbox.config({ CIRCLE_ENTITY_SECRET: 'f'.repeat(64) }));
    const error = await providerError(wrong.createWallet({ userId: 'user-11', chain: 'ethereum', idempotencyKey: key('wallet') }));
    expect(error).toMatchObject({ kind: 'auth', retryable: false, details: { code: 156013 } });
  });
});
