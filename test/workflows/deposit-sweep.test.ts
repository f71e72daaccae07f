import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { idempotencyUuid } from '../../src/providers/idempotency.js';
import { eventually } from '../helpers/eventually.js';
import { operatorDecides } from '../helpers/operator.js';
import { balancesOf, createUser, startStack, type Stack } from '../helpers/stack.js';
import { custodyReader } from './custody.js';
import { depositUsdc, parkedProgress, provisionWallet } from './support.js';

// A confirmed deposit's USDC leaves the user's Circle wallet for Circle Mint's deposit address before anything is
// paid out of Mint: the payout is drawn from what the deposit brought, never from a balance that happened to be
// there. The status the user sees stays confirmed_on_chain during the sweep.

let stack: Stack;
let custody: ReturnType<typeof custodyReader>;
beforeAll(async () => {
  stack = await startStack({ name: 'deposit-sweep' });
  custody = custodyReader(stack.config);
});
afterAll(async () => stack?.stop());
beforeEach(async () => stack.sandbox.control.clearFaults());

const plus = (a: string, b: string) => new Decimal(a).plus(b).toFixed(2);

async function depositor() {
  const user = await createUser(stack.db);
  const wallet = await provisionWallet(stack, user.id);
  return { user, wallet };
}

describe('deposit sweep', () => {
  it('moves the USDC from the user’s wallet into Mint (wallet back to 0, Mint up by the amount) before the payout draws it out again', async () => {
    const { user, wallet } = await depositor();
    const before = await stack.sandbox.control.pools();
    const creditsBefore = await stack.sandbox.control.effectCount('circle-mint', 'chainDeposit');
    // The payout is refused once: the deposit parks right after the sweep, where Mint holds the deposit.
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'createPayout', kind: 'reject' });
    const { handle } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '12.50' });
    expect(await parkedProgress(handle)).toMatchObject({ status: 'off_ramp_initiated', parked: { step: 'off-ramp' } });

    expect(await custody.walletUsdc(wallet.circleWalletId)).toBe('0');
    expect(await custody.mintUsd()).toBe(plus(before.mintAvailableUsd, '12.50'));
    const sweepKey = idempotencyUuid(`${handle.workflowId}:sweep`);
    expect(await stack.sandbox.control.effectCount('circle-wallets', 'createTransaction', sweepKey)).toBe(1);
    expect((await stack.sandbox.control.effectCount('circle-mint', 'chainDeposit')) - creditsBefore).toBe(1);

    await operatorDecides(handle, 'retry');
    expect(await handle.result()).toBe('broker_funded');
    // The payout took the 12.50 out of Mint again; the journal moved it from the firm account to the broker.
    expect(await custody.mintUsd()).toBe(before.mintAvailableUsd);
    expect(await stack.sandbox.control.pools()).toEqual({
      mintAvailableUsd: before.mintAvailableUsd,
      alpacaFirmCashUsd: before.alpacaFirmCashUsd,
      alpacaTradingCashUsd: plus(before.alpacaTradingCashUsd, '12.50'),
    });
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '12.50', pendingBrokerDepositsUsd: '0.00' });
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('a deposit with sub-cent USDC sweeps all of it out of the user’s wallet; the payout and the journal move the cents', async () => {
    const { user, wallet } = await depositor();
    const before = await stack.sandbox.control.pools();
    const { handle } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '7.259' });
    expect(await handle.result()).toBe('broker_funded');
    expect(await custody.walletUsdc(wallet.circleWalletId)).toBe('0');
    expect(await stack.sandbox.control.pools()).toMatchObject({ alpacaTradingCashUsd: plus(before.alpacaTradingCashUsd, '7.25') });
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '7.25', pendingBrokerDepositsUsd: '0.00' });
  });

  it('a sweep Circle refuses parks the deposit at confirmed_on_chain with the USDC still in the user’s wallet and nothing paid out; a retry sweeps it and funds the broker', async () => {
    const { user, wallet } = await depositor();
    const before = await stack.sandbox.control.pools();
    const payoutsBefore = await stack.sandbox.control.effectCount('circle-mint', 'createPayout');
    const { handle, transactionId } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '9.00' });
    // Arm the refusal once the deposit's own transfer is in (the fault names the next createTransaction).
    await eventually(
      () => stack.providers.wallets.getTransfer(transactionId),
      (t) => t.state === 'complete',
    );
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'createTransaction', kind: 'reject' });

    const parked = await parkedProgress(handle);
    expect(parked).toMatchObject({ status: 'confirmed_on_chain', parked: { step: 'sweep' } });
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '9.00' });
    expect(await custody.walletUsdc(wallet.circleWalletId)).toBe('9');
    expect(await stack.sandbox.control.pools()).toEqual(before);
    expect(await stack.sandbox.control.effectCount('circle-mint', 'createPayout')).toBe(payoutsBefore);

    await operatorDecides(handle, 'retry');
    expect(await handle.result()).toBe('broker_funded');
    expect(await custody.walletUsdc(wallet.circleWalletId)).toBe('0');
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '9.00', pendingBrokerDepositsUsd: '0.00' });
    expect(await stack.sandbox.control.pools()).toMatchObject({ alpacaTradingCashUsd: plus(before.alpacaTradingCashUsd, '9.00') });
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });
});
