import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Money } from '../../src/domain/money.js';
import { createAlpacaBroker } from '../../src/providers/alpaca/broker.js';
import { createCircleMint } from '../../src/providers/circle/mint.js';
import { createCircleWallets } from '../../src/providers/circle/wallets.js';
import type { BrokerPort, FiatRailsPort, WalletsPort } from '../../src/providers/ports.js';
import { eventually } from '../helpers/eventually.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { providerError } from '../providers/support.js';
import { custodyReader } from '../workflows/custody.js';

// Every custody pool of the sandbox starts at zero and holds only what a flow (or an outside event the control
// API stands for) put there: the Circle Mint balance, the Alpaca firm account (the firm's bank, for the sandbox)
// and the omnibus trading account. A flow that does not add up fails here as it would at the providers.

let sandbox: TestSandbox;
let rails: FiatRailsPort;
let wallets: WalletsPort;
let broker: BrokerPort;
let custody: ReturnType<typeof custodyReader>;

beforeAll(async () => {
  sandbox = await startTestSandbox({ stepDelayMs: 20 });
  rails = createCircleMint(sandbox.config());
  wallets = createCircleWallets(sandbox.config());
  broker = createAlpacaBroker(sandbox.config());
  custody = custodyReader(sandbox.config());
});
afterEach(() => sandbox.control.clearFaults());
afterAll(() => sandbox.stop());

const key = (step: string) => `pools-${randomUUID()}:${step}`;

/** USDC that arrived from outside in a W3S wallet of ours, sent on to Mint's deposit address: a sweep. */
async function sweepToMint(amountUsdc: string) {
  const wallet = await wallets.createWallet({ userId: `user-${randomUUID()}`, chain: 'ethereum', idempotencyKey: key('wallet') });
  const arrived = await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: amountUsdc });
  await eventually(
    () => wallets.getTransfer(arrived.id),
    (t) => t.state === 'complete',
  );
  const sent = await wallets.sendUsdc({
    walletId: wallet.id,
    chain: 'ethereum',
    destinationAddress: await rails.depositAddress('ethereum'),
    amountUsdc,
    idempotencyKey: key('sweep'),
  });
  return eventually(
    () => wallets.getTransfer(sent.id),
    (t) => t.state === 'complete',
  );
}

describe('sandbox custody pools', () => {
  it('start at zero: the Mint balance, the Alpaca firm account and the omnibus trading account', async () => {
    expect(await sandbox.control.pools()).toEqual({ mintAvailableUsd: '0.00', alpacaFirmCashUsd: '0.00', alpacaTradingCashUsd: '0.00' });
    expect(await custody.mintUsd()).toBe('0.00');
    expect(await broker.getAccount()).toMatchObject({ cashUsd: '0.00', buyingPowerUsd: '0.00' });
  });

  it('a payout without swept USDC behind it fails with insufficient_funds and moves nothing', async () => {
    const payout = await rails.startOffRamp({ amountUsd: '5.00', idempotencyKey: key('off-ramp') });
    expect(
      await eventually(
        () => rails.getOffRamp(payout.id),
        (p) => p.status !== 'pending',
      ),
    ).toMatchObject({ status: 'failed', errorCode: 'insufficient_funds' });
    expect(await sandbox.control.pools()).toMatchObject({ mintAvailableUsd: '0.00', alpacaFirmCashUsd: '0.00' });
  });

  it('USDC swept to Mint is credited once Mint saw it on chain, pays out to the firm account, and funds the trading account by journal', async () => {
    const sweep = await sweepToMint('20.5');
    expect(await rails.getChainDeposit({ chain: 'ethereum', txHash: sweep.txHash! })).toMatchObject({
      status: 'complete',
      amountUsd: '20.50',
    });
    expect(await sandbox.control.pools()).toEqual({ mintAvailableUsd: '20.50', alpacaFirmCashUsd: '0.00', alpacaTradingCashUsd: '0.00' });

    const payout = await rails.startOffRamp({ amountUsd: '20.50', idempotencyKey: key('off-ramp') });
    // Mint debits at once; the firm's bank (the Alpaca firm account) is credited when the payout completes.
    expect(await sandbox.control.pools()).toMatchObject({ mintAvailableUsd: '0.00', alpacaFirmCashUsd: '0.00' });
    expect(
      await eventually(
        () => rails.getOffRamp(payout.id),
        (p) => p.status !== 'pending',
      ),
    ).toMatchObject({ status: 'complete' });
    expect(await sandbox.control.pools()).toEqual({ mintAvailableUsd: '0.00', alpacaFirmCashUsd: '20.50', alpacaTradingCashUsd: '0.00' });

    const journal = await broker.fund({ amountUsd: '20.50', idempotencyKey: key('broker-fund') });
    await eventually(
      () => broker.getTransfer(journal.id),
      (j) => j.status === 'complete',
    );
    expect(await sandbox.control.pools()).toEqual({ mintAvailableUsd: '0.00', alpacaFirmCashUsd: '0.00', alpacaTradingCashUsd: '20.50' });
    // Nothing left to pay twice.
    expect(await providerError(broker.fund({ amountUsd: '0.01', idempotencyKey: key('broker-fund') }))).toMatchObject({ kind: 'rejected' });
  });

  it('an on-ramp wire leaves the firm account: Mint is credited what the firm had, a wire the firm cannot cover fails', async () => {
    await sandbox.control.brokerWire({ account: 'firm', amountUsd: '50.00' });
    const onRamp = await rails.startOnRamp({ amountUsd: '30.00', idempotencyKey: key('on-ramp') });
    expect(
      await eventually(
        () => rails.getOnRamp(onRamp.id),
        (d) => d.status !== 'pending',
      ),
    ).toMatchObject({ status: 'complete' });
    expect(await sandbox.control.pools()).toMatchObject({ mintAvailableUsd: '30.00', alpacaFirmCashUsd: '20.00' });

    const uncovered = await rails.startOnRamp({ amountUsd: '20.01', idempotencyKey: key('on-ramp') });
    expect(
      await eventually(
        () => rails.getOnRamp(uncovered.id),
        (d) => d.status !== 'pending',
      ),
    ).toMatchObject({ status: 'failed' });
    expect(await sandbox.control.pools()).toMatchObject({ mintAvailableUsd: '30.00', alpacaFirmCashUsd: '20.00' });

    // Leave Mint empty for the next test: pay the 30.00 back out to the firm's bank.
    const back = await rails.startOffRamp({ amountUsd: '30.00', idempotencyKey: key('off-ramp') });
    await eventually(
      () => rails.getOffRamp(back.id),
      (p) => p.status === 'complete',
    );
    expect(await sandbox.control.pools()).toMatchObject({ mintAvailableUsd: '0.00', alpacaFirmCashUsd: '50.00' });
  });

  it('a Mint transfer beyond the balance fails with insufficient_funds', async () => {
    const wallet = await wallets.createWallet({ userId: `treasury-${randomUUID()}`, chain: 'ethereum', idempotencyKey: key('wallet') });
    const recipientAddressId = await rails.saveRecipientAddress({
      chain: 'ethereum',
      address: wallet.address,
      description: 'treasury',
      idempotencyKey: key('recipient'),
    });
    const transfer = await rails.startMintTransfer({ recipientAddressId, amountUsd: '0.01', idempotencyKey: key('treasury-funding') });
    expect(
      await eventually(
        () => rails.getMintTransfer(transfer.id),
        (t) => t.status !== 'pending',
      ),
    ).toMatchObject({ status: 'failed', errorCode: 'insufficient_funds' });
    expect(await custody.walletUsdc(wallet.id)).toBe('0');
  });

  it('orders cannot buy beyond the trading account’s cash, open orders counted', async () => {
    const { alpacaTradingCashUsd: before } = await sandbox.control.pools();
    await sandbox.control.brokerWire({ account: 'trading', amountUsd: '100.00' });
    const cash = (Number(before) + 100).toFixed(2);
    await sandbox.control.setFills({ fillDelayMs: 60_000, prices: { POOLX: '10.00' } });
    try {
      const first = await broker.placeOrder({ clientOrderId: key('buy'), symbol: 'POOLX', side: 'buy', notional: cash, type: 'market' });
      expect(first.status).toBe('new');
      expect(await broker.getAccount()).toMatchObject({ cashUsd: cash, buyingPowerUsd: '0.00' });
      expect(
        await providerError(
          broker.placeOrder({ clientOrderId: key('buy'), symbol: 'POOLX', side: 'buy', notional: '1.00', type: 'market' }),
        ),
      ).toMatchObject({ kind: 'rejected' });
      // Cash held by an open order cannot leave by journal either.
      expect(await providerError(broker.withdraw({ amountUsd: '1.00', idempotencyKey: key('withdraw') }))).toMatchObject({
        kind: 'rejected',
      });
    } finally {
      await sandbox.control.setFills({ fillDelayMs: 20 });
    }
  });

  it('a repeated key gets the original answer even when a rejection is armed: only a fresh request is refused', async () => {
    // The journal and the USDC transfer each moved money under their key; the answer was lost, the call repeats.
    const start = await sandbox.control.pools();
    await sandbox.control.brokerWire({ account: 'trading', amountUsd: '30.00' });
    const journalKey = key('broker-withdrawal');
    const journal = await broker.withdraw({ amountUsd: '10.00', idempotencyKey: journalKey });
    const swept = await sweepToMint('3.000000');
    const sweepKey = key('sweep-again');
    const wallet = await wallets.createWallet({ userId: `user-${randomUUID()}`, chain: 'ethereum', idempotencyKey: key('wallet-2') });
    const arrived = await sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: '2' });
    await eventually(
      () => wallets.getTransfer(arrived.id),
      (t) => t.state === 'complete',
    );
    const send = () =>
      wallets.sendUsdc({
        walletId: wallet.id,
        chain: 'ethereum',
        destinationAddress: swept.destinationAddress,
        amountUsdc: '2',
        idempotencyKey: sweepKey,
      });
    const sent = await send();

    await sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject', times: 1 });
    await sandbox.control.fault({ provider: 'circle-wallets', operation: 'createTransaction', kind: 'reject', times: 1 });
    expect((await broker.withdraw({ amountUsd: '10.00', idempotencyKey: journalKey })).id).toBe(journal.id);
    expect((await send()).id).toBe(sent.id);

    // Still armed for a fresh request: refused, nothing moved.
    // The trading account paid the one journal once: 30 wired, 10 withdrawn.
    // Mint credits a sweep a moment after the chain transfer completes: both sweeps (3 + 2 USDC) land before the
    // snapshot the fresh request is compared with.
    const paid = await eventually(
      () => sandbox.control.pools(),
      (p) => p.mintAvailableUsd === new Money(start.mintAvailableUsd).plus('5.00').toFixed(2),
    );
    expect(new Money(start.alpacaTradingCashUsd).plus('20.00').toFixed(2)).toBe(paid.alpacaTradingCashUsd);
    await sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject', times: 1 });
    const refused = await providerError(broker.withdraw({ amountUsd: '10.00', idempotencyKey: key('fresh') }));
    expect(refused).toMatchObject({ retryable: false, details: { status: 403 } });
    expect(await sandbox.control.pools()).toEqual(paid);
  });
});
