import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { createCircleMint } from '../../src/providers/circle/mint.js';
import { createCircleWallets } from '../../src/providers/circle/wallets.js';
import { idempotencyUuid } from '../../src/providers/idempotency.js';
import type { FiatRailsPort, WalletsPort } from '../../src/providers/ports.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { eventually } from '../helpers/eventually.js';
import { custodyReader } from '../workflows/custody.js';
import { providerError } from './support.js';

// Circle Mint (off-ramp payouts, on-ramp wire deposits, USDC out to the recipient book and in through the deposit
// addresses) through the official SDK adapter, against the sandbox.

let sandbox: TestSandbox;
let rails: FiatRailsPort;
let wallets: WalletsPort;
let custody: ReturnType<typeof custodyReader>;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  rails = createCircleMint(sandbox.config());
  wallets = createCircleWallets(sandbox.config());
  custody = custodyReader(sandbox.config());
  // The sandbox's pools start empty. The firm's own money arrives from outside (a wire into the firm account, the
  // sandbox's stand-in for the firm's bank) and half of it is on-ramped into the Mint balance, which the payouts
  // and transfers below draw on.
  await sandbox.control.brokerWire({ account: 'firm', amountUsd: '20000.00' });
  const funding = await rails.startOnRamp({ amountUsd: '10000.00', idempotencyKey: key('mint-funding') });
  await eventually(
    () => rails.getOnRamp(funding.id),
    (d) => d.status === 'complete',
  );
});
afterEach(() => sandbox.control.clearFaults());
afterAll(() => sandbox.stop());

const key = (step: string) => `test-${randomUUID()}:${step}`;
/** a − b in USD cents. */
const minus = (a: string, b: string) => new Decimal(a).minus(b).toFixed(2);

describe('Circle Mint adapter: off-ramp', () => {
  it('pays USD out to the broker bank and sees the payout complete', async () => {
    const payout = await rails.startOffRamp({ amountUsd: '125.5', idempotencyKey: key('off-ramp') });
    expect(payout).toMatchObject({ status: 'pending', amountUsd: '125.50' });

    const settled = await eventually(
      () => rails.getOffRamp(payout.id),
      (p) => p.status !== 'pending',
    );
    expect(settled).toEqual({ id: payout.id, status: 'complete', amountUsd: '125.50', errorCode: undefined });
  });

  it('pays out once when the same step is retried', async () => {
    const idempotencyKey = key('off-ramp');
    const first = await rails.startOffRamp({ amountUsd: '40.00', idempotencyKey });
    const again = await rails.startOffRamp({ amountUsd: '40.00', idempotencyKey });

    expect(again.id).toBe(first.id);
    expect(await sandbox.control.effectCount('circle-mint', 'createPayout', idempotencyUuid(idempotencyKey))).toBe(1);
  });

  it('pays out once when the first answer timed out', async () => {
    const idempotencyKey = key('off-ramp');
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'createPayout', kind: 'timeout' });

    expect(await providerError(rails.startOffRamp({ amountUsd: '12.34', idempotencyKey }))).toMatchObject({
      kind: 'timeout',
      retryable: true,
    });
    const retried = await rails.startOffRamp({ amountUsd: '12.34', idempotencyKey });
    expect(retried.amountUsd).toBe('12.34');
    expect(await sandbox.control.effectCount('circle-mint', 'createPayout', idempotencyUuid(idempotencyKey))).toBe(1);
  });

  it('refuses the same key for another amount as a conflict', async () => {
    const idempotencyKey = key('off-ramp');
    await rails.startOffRamp({ amountUsd: '1.00', idempotencyKey });
    expect(await providerError(rails.startOffRamp({ amountUsd: '2.00', idempotencyKey }))).toMatchObject({
      kind: 'conflict',
      retryable: false,
      details: { status: 409 },
    });
  });

  it('reports a payout Circle denies as failed with its error code', async () => {
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'createPayout', kind: 'reject' });
    const payout = await rails.startOffRamp({ amountUsd: '99.00', idempotencyKey: key('off-ramp') });
    const settled = await eventually(
      () => rails.getOffRamp(payout.id),
      (p) => p.status !== 'pending',
    );
    expect(settled).toMatchObject({ status: 'failed', errorCode: 'transaction_denied' });
  });

  it('turns a Circle outage into a retryable failure', async () => {
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'createPayout', kind: 'http500' });
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'getPayout', kind: 'http500' });
    expect(await providerError(rails.startOffRamp({ amountUsd: '5.00', idempotencyKey: key('off-ramp') }))).toMatchObject({
      kind: 'unavailable',
      retryable: true,
      details: { status: 500 },
    });
    expect(await providerError(rails.getOffRamp(randomUUID()))).toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('reports an unknown payout as not found and a wrong key as auth', async () => {
    expect(await providerError(rails.getOffRamp(randomUUID()))).toMatchObject({ kind: 'not_found', retryable: false });
    const wrong = createCircleMint(sandbox.config({ CIRCLE_API_KEY: 'TEST_API_KEY:wrong:key' }));
    expect(await providerError(wrong.getOffRamp(randomUUID()))).toMatchObject({ kind: 'auth', details: { status: 401 } });
  });

  it('refuses an amount with fractions of a cent before calling Circle', async () => {
    expect(await providerError(rails.startOffRamp({ amountUsd: '1.005', idempotencyKey: key('off-ramp') }))).toMatchObject({
      kind: 'invalid_request',
    });
  });
});

describe('Circle Mint adapter: on-ramp', () => {
  it('brings USD in as a wire deposit that completes', async () => {
    const deposit = await rails.startOnRamp({ amountUsd: '75', idempotencyKey: key('on-ramp') });
    expect(deposit).toMatchObject({ status: 'pending', amountUsd: '75.00' });
    const settled = await eventually(
      () => rails.getOnRamp(deposit.id),
      (d) => d.status !== 'pending',
    );
    expect(settled).toEqual({ id: deposit.id, status: 'complete', amountUsd: '75.00' });
  });

  it('wires once when the same step is retried after a timeout', async () => {
    const idempotencyKey = key('on-ramp');
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'createMockWire', kind: 'timeout' });
    expect(await providerError(rails.startOnRamp({ amountUsd: '20.00', idempotencyKey }))).toMatchObject({ kind: 'timeout' });
    const retried = await rails.startOnRamp({ amountUsd: '20.00', idempotencyKey });
    expect(retried.id).toBe(idempotencyUuid(idempotencyKey));
    expect(await sandbox.control.effectCount('circle-mint', 'createMockWire', idempotencyUuid(idempotencyKey))).toBe(1);
  });

  it('reports a returned wire as a failed on-ramp', async () => {
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'createMockWire', kind: 'reject' });
    const deposit = await rails.startOnRamp({ amountUsd: '10.00', idempotencyKey: key('on-ramp') });
    expect(
      await eventually(
        () => rails.getOnRamp(deposit.id),
        (d) => d.status !== 'pending',
      ),
    ).toMatchObject({ status: 'failed' });
  });

  it('turns a Circle outage into a retryable failure and an unknown deposit into not found', async () => {
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'listDeposits', kind: 'http500' });
    expect(await providerError(rails.getOnRamp(randomUUID()))).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(await providerError(rails.getOnRamp(randomUUID()))).toMatchObject({ kind: 'not_found', retryable: false });
  });
});

describe('Circle Mint adapter: USDC out to a saved address', () => {
  /** A W3S wallet saved in Mint's recipient book, as the treasury wallet is. */
  async function savedWallet(chain: 'ethereum' | 'solana' = 'ethereum') {
    const wallet = await wallets.createWallet({ userId: `treasury-${randomUUID()}`, chain, idempotencyKey: key('wallet') });
    const recipientAddressId = await rails.saveRecipientAddress({
      chain,
      address: wallet.address,
      description: 'treasury',
      idempotencyKey: key('recipient'),
    });
    return { wallet, recipientAddressId };
  }
  it('saves an address once per key', async () => {
    const wallet = await wallets.createWallet({ userId: `treasury-${randomUUID()}`, chain: 'solana', idempotencyKey: key('wallet') });
    const idempotencyKey = key('recipient');
    const first = await rails.saveRecipientAddress({ chain: 'solana', address: wallet.address, description: 'treasury', idempotencyKey });
    expect(await rails.saveRecipientAddress({ chain: 'solana', address: wallet.address, description: 'treasury', idempotencyKey })).toBe(
      first,
    );
    expect(await sandbox.control.effectCount('circle-mint', 'createRecipientAddress', idempotencyUuid(idempotencyKey))).toBe(1);
  });

  it('debits the Mint balance and lands the USDC in the wallet as an inbound transfer; complete with its hash once that is COMPLETE', async () => {
    const { wallet, recipientAddressId } = await savedWallet();
    const mintBefore = await custody.mintUsd();
    const transfer = await rails.startMintTransfer({ recipientAddressId, amountUsd: '12.5', idempotencyKey: key('treasury-funding') });
    expect(transfer).toMatchObject({ status: 'pending', amountUsd: '12.50' });

    const settled = await eventually(
      () => rails.getMintTransfer(transfer.id),
      (t) => t.status !== 'pending',
    );
    expect(settled).toMatchObject({
      id: transfer.id,
      status: 'complete',
      amountUsd: '12.50',
      txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
    expect(await custody.inboundWithHash(settled.txHash!)).toEqual([{ walletId: wallet.id, amount: '12.5', state: 'COMPLETE' }]);
    expect(await custody.walletUsdc(wallet.id)).toBe('12.5');
    expect(minus(mintBefore, await custody.mintUsd())).toBe('12.50');
  });

  it('moves the USDC once when the same step is retried after a timeout; the key with another amount is a conflict', async () => {
    const { wallet, recipientAddressId } = await savedWallet();
    const idempotencyKey = key('treasury-funding');
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'createTransfer', kind: 'timeout' });
    expect(await providerError(rails.startMintTransfer({ recipientAddressId, amountUsd: '7.00', idempotencyKey }))).toMatchObject({
      kind: 'timeout',
      retryable: true,
    });
    const retried = await rails.startMintTransfer({ recipientAddressId, amountUsd: '7.00', idempotencyKey });
    await eventually(
      () => rails.getMintTransfer(retried.id),
      (t) => t.status === 'complete',
    );
    expect(await sandbox.control.effectCount('circle-mint', 'createTransfer', idempotencyUuid(idempotencyKey))).toBe(1);
    expect(await custody.walletUsdc(wallet.id)).toBe('7');
    expect(await providerError(rails.startMintTransfer({ recipientAddressId, amountUsd: '8.00', idempotencyKey }))).toMatchObject({
      kind: 'conflict',
      retryable: false,
    });
  });

  it('fails a transfer the balance does not cover (insufficient_funds) or Mint denies (transfer_denied), moving nothing', async () => {
    const { wallet, recipientAddressId } = await savedWallet();
    const mintBefore = await custody.mintUsd();
    const tooMuch = await rails.startMintTransfer({
      recipientAddressId,
      amountUsd: new Decimal(mintBefore).plus('0.01').toFixed(2),
      idempotencyKey: key('treasury-funding'),
    });
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'createTransfer', kind: 'reject' });
    const denied = await rails.startMintTransfer({ recipientAddressId, amountUsd: '3.00', idempotencyKey: key('treasury-funding') });
    expect(
      await eventually(
        () => rails.getMintTransfer(tooMuch.id),
        (t) => t.status !== 'pending',
      ),
    ).toMatchObject({ status: 'failed', errorCode: 'insufficient_funds' });
    expect(
      await eventually(
        () => rails.getMintTransfer(denied.id),
        (t) => t.status !== 'pending',
      ),
    ).toMatchObject({ status: 'failed', errorCode: 'transfer_denied' });
    expect(await custody.mintUsd()).toBe(mintBefore);
    expect(await custody.walletUsdc(wallet.id)).toBe('0');
  });

  it('refuses an address outside the recipient book, and reports an unknown transfer as not found', async () => {
    expect(
      await providerError(
        rails.startMintTransfer({ recipientAddressId: randomUUID(), amountUsd: '1.00', idempotencyKey: key('treasury-funding') }),
      ),
    ).toMatchObject({ kind: 'invalid_request', retryable: false });
    expect(await providerError(rails.getMintTransfer(randomUUID()))).toMatchObject({ kind: 'not_found', retryable: false });
  });
});

describe('Circle Mint adapter: USDC in through the deposit address', () => {
  it('has one deposit address per chain, the same for every process', async () => {
    const eth = await rails.depositAddress('ethereum');
    const sol = await rails.depositAddress('solana');
    expect(eth).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(sol).not.toBe(eth);
    const other = createCircleMint(sandbox.config());
    expect(await other.depositAddress('ethereum')).toBe(eth);
    expect(await other.depositAddress('solana')).toBe(sol);
  });

  it('credits USDC a wallet sends there to the Mint balance once the transfer is COMPLETE', async () => {
    const wallet = await wallets.createWallet({ userId: `treasury-${randomUUID()}`, chain: 'ethereum', idempotencyKey: key('wallet') });
    const funding = await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: '30' });
    await eventually(
      () => wallets.getTransfer(funding.id),
      (t) => t.state === 'complete',
    );
    const mintBefore = await custody.mintUsd();

    const sent = await wallets.sendUsdc({
      walletId: wallet.id,
      chain: 'ethereum',
      destinationAddress: await rails.depositAddress('ethereum'),
      amountUsdc: '30',
      idempotencyKey: key('return'),
    });
    await eventually(
      () => wallets.getTransfer(sent.id),
      (t) => t.state === 'complete',
    );
    expect(minus(await custody.mintUsd(), mintBefore)).toBe('30.00');
    expect(await custody.walletUsdc(wallet.id)).toBe('0');
    expect(await sandbox.control.effectCount('circle-mint', 'chainDeposit', sent.id)).toBe(1);
    // Mint lists the credit among its transfers, by the transaction's hash: what the deposit sweep waits for.
    const settled = await wallets.getTransfer(sent.id);
    expect(await rails.getChainDeposit({ chain: 'ethereum', txHash: settled.txHash! })).toMatchObject({
      status: 'complete',
      amountUsd: '30.00',
      txHash: settled.txHash,
    });
    expect(await rails.getChainDeposit({ chain: 'ethereum', txHash: `0x${'0'.repeat(64)}` })).toBeUndefined();
  });
});
