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

    const seen = await wallets.findInboundTransfer({ chain: 'ethereum', txHash: sent.txHash });
    expect(seen).toMatchObject({ id: sent.id, direction: 'inbound', walletId: wallet.id, amountUsdc: '25.50', destinationAddress: wallet.address });
    expect(sent.txHash).toMatch(/^0x[0-9a-f]{64}$/);

    const settled = await eventually(() => wallets.getTransfer(sent.id), (t) => t.state !== 'pending');
    expect(settled).toMatchObject({ state: 'complete', providerState: 'COMPLETE', txHash: sent.txHash });
  });

  it('finds no inbound transfer for a hash Circle has not seen', async () => {
    expect(await wallets.findInboundTransfer({ chain: 'solana', txHash: bs58.encode(Buffer.alloc(64, 7)) })).toBeUndefined();
  });

  it('sends USDC out of a wallet and follows it to COMPLETE with a tx hash', async () => {
    const wallet = await wallets.createWallet({ userId: 'user-4', chain: 'ethereum', idempotencyKey: key('wallet') });
    const transfer = await wallets.sendUsdc({ walletId: wallet.id, chain: 'ethereum', destinationAddress: destination, amountUsdc: '10.25', idempotencyKey: key('send') });

    expect(transfer).toMatchObject({ state: 'pending', providerState: 'INITIATED', direction: 'outbound', amountUsdc: '10.25' });
    const done = await eventually(() => wallets.getTransfer(transfer.id), (t) => t.state === 'complete');
    expect(done).toMatchObject({ state: 'complete', walletId: wallet.id, destinationAddress: destination });
    expect(done.txHash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('sends USDC from a solana wallet with a base58 signature as hash', async () => {
    const wallet = await wallets.createWallet({ userId: 'user-5', chain: 'solana', idempotencyKey: key('wallet') });
    const other = await wallets.createWallet({ userId: 'user-6', chain: 'solana', idempotencyKey: key('wallet') });
    const transfer = await wallets.sendUsdc({ walletId: wallet.id, chain: 'solana', destinationAddress: other.address, amountUsdc: '1', idempotencyKey: key('send') });
    const done = await eventually(() => wallets.getTransfer(transfer.id), (t) => t.state === 'complete');
    expect(bs58.decode(done.txHash!)).toHaveLength(64);
  });

  it('sends once when the answer times out and the step is retried', async () => {
    const wallet = await wallets.createWallet({ userId: 'user-7', chain: 'ethereum', idempotencyKey: key('wallet') });
    const input = { walletId: wallet.id, chain: 'ethereum' as const, destinationAddress: destination, amountUsdc: '5', idempotencyKey: key('send') };
    await sandbox.control.fault({ provider: 'circle-wallets', operation: 'createTransaction', kind: 'timeout' });

    const error = await providerError(wallets.sendUsdc(input));
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });

    const retried = await wallets.sendUsdc(input);
    expect(retried.state).not.toBe('failed');
    expect(await sandbox.control.effectCount('circle-wallets', 'createTransaction', idempotencyUuid(input.idempotencyKey))).toBe(1);
  });

  it('reports insufficient funds as a rejection that is not retried', async () => {
    const wallet = await wallets.createWallet({ userId: 'user-8', chain: 'ethereum', idempotencyKey: key('wallet') });
    await sandbox.control.fault({ provider: 'circle-wallets', operation: 'createTransaction', kind: 'reject' });
    const error = await providerError(wallets.sendUsdc({ walletId: wallet.id, chain: 'ethereum', destinationAddress: destination, amountUsdc: '5', idempotencyKey: key('send') }));
    expect(error).toMatchObject({ kind: 'rejected', retryable: false, details: { status: 400, code: 155201 } });
  });

  it('rejects a destination address that is not an address on that chain', async () => {
    const wallet = await wallets.createWallet({ userId: 'user-9', chain: 'ethereum', idempotencyKey: key('wallet') });
    const error = await providerError(wallets.sendUsdc({ walletId: wallet.id, chain: 'ethereum', destinationAddress: 'not-an-address', amountUsdc: '5', idempotencyKey: key('send') }));
    expect(error).toMatchObject({ kind: 'rejected', details: { code: 155219 } });
  });

  it('turns a Circle outage into a retryable failure on every read', async () => {
    const wallet = await wallets.createWallet({ userId: 'user-10', chain: 'ethereum', idempotencyKey: key('wallet') });
    await sandbox.control.fault({ provider: 'circle-wallets', operation: 'getWallet', kind: 'http500' });
    await sandbox.control.fault({ provider: 'circle-wallets', operation: 'getTransaction', kind: 'http500' });
    await sandbox.control.fault({ provider: 'circle-wallets', operation: 'listTransactions', kind: 'timeout' });
    await sandbox.control.fault({ provider: 'circle-wallets', operation: 'createWallets', kind: 'http500' });

    expect(await providerError(wallets.getWallet(wallet.id))).toMatchObject({ kind: 'unavailable', retryable: true, details: { status: 500 } });
    expect(await providerError(wallets.getTransfer(randomUUID()))).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(await providerError(wallets.findInboundTransfer({ chain: 'ethereum', txHash: `0x${'1'.repeat(64)}` }))).toMatchObject({ kind: 'timeout', retryable: true });
    expect(await providerError(wallets.createWallet({ userId: 'user-10', chain: 'solana', idempotencyKey: key('wallet') }))).toMatchObject({ kind: 'unavailable' });
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
