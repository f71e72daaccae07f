import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { idempotencyUuid } from '../../src/providers/idempotency.js';
import { abortRefusedType, progressQuery, searchAttributes, workflowIds } from '../../workflows/definitions.js';
import type { EffectRecord } from '../../src/sandbox/state.js';
import { balancesOf, createInvestor, startStack, type Stack } from '../helpers/stack.js';
import { eventually } from '../helpers/eventually.js';
import { operatorDecides } from '../helpers/operator.js';
import { custodyReader } from './custody.js';
import { resetAfterAccept } from './reset.js';
import { parkedProgress, provisionWallet } from './support.js';

let stack: Stack;
let custody: ReturnType<typeof custodyReader>;
beforeAll(async () => {
  stack = await startStack({ name: 'withdrawals' });
  custody = custodyReader(stack.config);
});
afterAll(async () => stack?.stop());
beforeEach(async () => stack.sandbox.control.clearFaults());

const target = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';

async function withdraw(userId: string, amountUsd: string, extra: { idempotencyKey?: string } = {}) {
  const withdrawalId = randomUUID();
  const started = await stack.accept('withdrawalWorkflow', workflowIds.withdrawal(withdrawalId), {
    withdrawalId,
    userId,
    amountUsd,
    targetChain: 'ethereum',
    targetAddress: target,
    ...extra,
    requestHash: extra.idempotencyKey ? 'a'.repeat(64) : undefined,
  });
  return { ...started, withdrawalId };
}

const row = (id: string) => stack.db.withdrawal.findUniqueOrThrow({ where: { id } });

describe('withdrawals', () => {
  it('buying power becomes USDC on chain: the withdrawal completes with a tx hash and the amount stays spent', async () => {
    const user = await createInvestor(stack, '100.00');
    await provisionWallet(stack, user.id);
    const { result, handle, withdrawalId } = await withdraw(user.id, '60.25', { idempotencyKey: 'key-1' });
    expect(result).toEqual({ accepted: true, id: withdrawalId });
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '39.75' });
    expect(await stack.db.idempotencyKey.findUnique({ where: { userId_key: { userId: user.id, key: 'key-1' } } })).toMatchObject({
      resourceType: 'withdrawal',
      resourceId: withdrawalId,
    });

    expect(await handle.result()).toBe('complete');
    const done = await row(withdrawalId);
    expect(done.status).toBe('complete');
    expect(done.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(done.brokerWithdrawalRef && done.circleOnRampRef && done.circleTransferRef).toBeTruthy();
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '39.75', pendingBrokerDepositsUsd: '0.00' });
    expect((await handle.describe()).typedSearchAttributes.get(searchAttributes.status)).toBe('complete');
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('a complete withdrawal adds up: Mint pays the on-ramped USDC to the treasury, the treasury pays the user and ends where it started, the user’s own wallet is not spent', async () => {
    const user = await createInvestor(stack, '10.00');
    // USDC the user deposited earlier sits in their own wallet; it was off-ramped then and must not pay again.
    const own = await provisionWallet(stack, user.id);
    await stack.sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: own.address, amount: '25' });
    await eventually(
      () => custody.walletUsdc(own.circleWalletId),
      (usdc) => usdc === '25',
    );
    const before = await custody.balances();
    const poolsBefore = await stack.sandbox.control.pools();

    const { handle, withdrawalId } = await withdraw(user.id, '10.00');
    expect(await handle.result()).toBe('complete');
    const done = await row(withdrawalId);
    expect(done.txHash).toBeTruthy();
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '0.00' });

    const treasury = (await custody.treasuryWallet('ethereum'))!;
    const sent = await stack.providers.wallets.getTransfer(done.circleTransferRef!);
    expect(sent).toMatchObject({
      walletId: treasury.id,
      destinationAddress: target,
      amount: '10',
      token: { isUsdc: true },
      state: 'complete',
      txHash: done.txHash,
    });
    // Mint paid exactly the on-ramped amount to the treasury, once; the wire's +10.00 and that −10.00 leave the
    // Mint balance where it was, and the treasury received and sent the same 10 USDC.
    expect(await stack.providers.rails.getOnRamp(done.circleOnRampRef!)).toMatchObject({ status: 'complete', amountUsd: '10.00' });
    expect((await custody.mintTransfersTo(treasury.address)).filter((t) => t.amountUsd === '10.00')).toEqual([
      { status: 'complete', amountUsd: '10.00', txHash: expect.any(String) },
    ]);
    expect(
      await stack.sandbox.control.effectCount(
        'circle-mint',
        'createTransfer',
        idempotencyUuid(`${workflowIds.withdrawal(withdrawalId)}:treasury-funding`),
      ),
    ).toBe(1);
    expect(await custody.balances()).toEqual(before);
    expect(await custody.walletUsdc(own.circleWalletId)).toBe('25');
    // Every pool starts empty in the sandbox: the 10.00 left the omnibus account by journal, passed through the
    // firm account (the firm's bank) by wire to Mint, and Mint, the firm account and the treasury end as they began.
    expect(await stack.sandbox.control.pools()).toEqual({
      mintAvailableUsd: poolsBefore.mintAvailableUsd,
      alpacaFirmCashUsd: poolsBefore.alpacaFirmCashUsd,
      alpacaTradingCashUsd: new Decimal(poolsBefore.alpacaTradingCashUsd).minus('10.00').toFixed(2),
    });
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('more than the buying power is refused with 422: no row, no reservation', async () => {
    const user = await createInvestor(stack, '20.00');
    const { result, handle, withdrawalId } = await withdraw(user.id, '20.01', { idempotencyKey: 'too-much' });
    expect(result).toMatchObject({ accepted: false, refusal: { code: 'insufficient_funds' } });
    expect(await handle.result()).toBeUndefined();
    expect(await stack.db.withdrawal.findUnique({ where: { id: withdrawalId } })).toBeNull();
    expect(await stack.db.idempotencyKey.count({ where: { userId: user.id } })).toBe(0);
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '20.00' });
  });

  it('two withdrawals racing for the same buying power: exactly one is accepted', async () => {
    const user = await createInvestor(stack, '50.00');
    const results = await Promise.all([withdraw(user.id, '40.00'), withdraw(user.id, '40.00')]);
    expect(results.filter((r) => r.result.accepted)).toHaveLength(1);
    await Promise.all(results.map((r) => r.handle.result()));
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '10.00' });
  });

  it('transient faults at every step are retried; one withdrawal, one effect each', async () => {
    const user = await createInvestor(stack, '30.00');
    const faults = [
      { provider: 'alpaca-broker', operation: 'createJournal', kind: 'timeout' },
      { provider: 'alpaca-broker', operation: 'getJournal', kind: 'http500' },
      { provider: 'circle-mint', operation: 'createMockWire', kind: 'timeout' },
      { provider: 'circle-mint', operation: 'listDeposits', kind: 'http500' },
      { provider: 'circle-mint', operation: 'createTransfer', kind: 'timeout' },
      { provider: 'circle-mint', operation: 'getTransfer', kind: 'http500' },
      { provider: 'circle-wallets', operation: 'createTransaction', kind: 'timeout' },
      { provider: 'circle-wallets', operation: 'getTransaction', kind: 'http500' },
    ] as const;
    for (const fault of faults) await stack.sandbox.control.fault({ ...fault, times: 1 });
    const { handle, withdrawalId } = await withdraw(user.id, '30.00');
    expect(await handle.result()).toBe('complete');
    expect((await row(withdrawalId)).status).toBe('complete');
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '0.00' });
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('a broker withdrawal the broker rejects ends failed and gives the reservation back', async () => {
    const user = await createInvestor(stack, '80.00');
    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
    const { handle, withdrawalId } = await withdraw(user.id, '80.00');
    expect(await handle.result()).toBe('failed');
    const failed = await row(withdrawalId);
    expect(failed.status).toBe('failed');
    expect(failed.failureReason).toMatch(/initiateBrokerWithdrawal rejected/);
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '80.00', pendingBrokerDepositsUsd: '0.00' });
  });

  it('an on-ramp that fails puts the money back at the broker and gives the reservation back', async () => {
    const user = await createInvestor(stack, '25.00');
    const journalsBefore = await stack.sandbox.control.effectCount('alpaca-broker', 'createJournal');
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'createMockWire', kind: 'reject' });
    const { handle, withdrawalId } = await withdraw(user.id, '25.00');
    expect(await handle.result()).toBe('failed');
    expect((await row(withdrawalId)).failureReason).toMatch(/on-ramp/);
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '25.00' });
    // The withdrawal journal out, and the refund journal back in.
    expect((await stack.sandbox.control.effectCount('alpaca-broker', 'createJournal')) - journalsBefore).toBe(2);
  });

  it('a transfer Circle refuses after the treasury was funded: the USDC goes back to Mint, is off-ramped and refunded; treasury and Mint end where they started', async () => {
    const user = await createInvestor(stack, '45.50');
    const payoutsBefore = await stack.sandbox.control.effectCount('circle-mint', 'createPayout');
    const creditsBefore = await stack.sandbox.control.effectCount('circle-mint', 'chainDeposit');
    const before = await custody.balances();
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'createTransaction', kind: 'reject' });
    const { handle, withdrawalId } = await withdraw(user.id, '45.50');
    expect(await handle.result()).toBe('failed');
    const failed = await row(withdrawalId);
    expect(failed.failureReason).toMatch(/initiateWithdrawalTransfer rejected/);
    expect(failed.txHash).toBeNull();
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '45.50' });

    // Newest first: treasury -> Mint deposit address (credited once), then the payout, then the refund journal.
    const treasury = (await custody.treasuryWallet('ethereum'))!;
    expect((await custody.mintTransfersTo(treasury.address)).filter((t) => t.amountUsd === '45.50')).toMatchObject([
      { status: 'complete' },
    ]);
    expect((await stack.sandbox.control.effectCount('circle-mint', 'chainDeposit')) - creditsBefore).toBe(1);
    expect((await stack.sandbox.control.effectCount('circle-mint', 'createPayout')) - payoutsBefore).toBe(1);
    expect(await custody.balances()).toEqual(before);
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('a Mint transfer to the treasury that Mint denies ends failed: the minted USDC is off-ramped back from Mint and never reaches the treasury', async () => {
    const user = await createInvestor(stack, '18.40');
    const payoutsBefore = await stack.sandbox.control.effectCount('circle-mint', 'createPayout');
    const journalsBefore = await stack.sandbox.control.effectCount('alpaca-broker', 'createJournal');
    const before = await custody.balances();
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'createTransfer', kind: 'reject' });
    const { handle, withdrawalId } = await withdraw(user.id, '18.40');
    expect(await handle.result()).toBe('failed');
    const failed = await row(withdrawalId);
    expect(failed.failureReason).toMatch(/from Mint to the treasury failed: transfer_denied/);
    expect(failed.circleTransferRef).toBeNull();
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '18.40' });
    expect((await stack.sandbox.control.effectCount('circle-mint', 'createPayout')) - payoutsBefore).toBe(1);
    expect((await stack.sandbox.control.effectCount('alpaca-broker', 'createJournal')) - journalsBefore).toBe(2);
    expect(await custody.balances()).toEqual(before);
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('a step failing for good parks the withdrawal; an operator retry resumes it to complete', async () => {
    const user = await createInvestor(stack, '12.00');
    // 403 on reading the on-ramp deposit list is not a business outcome: it parks.
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'listDeposits', kind: 'reject' });
    const { handle, withdrawalId } = await withdraw(user.id, '12.00');
    const progress = await parkedProgress(handle);
    expect(progress).toMatchObject({ status: 'on_ramp_initiated', parked: { step: 'waitOnRamp' } });
    expect((await handle.describe()).typedSearchAttributes.get(searchAttributes.needsOperator)).toBe(true);

    await operatorDecides(handle, 'retry');
    expect(await handle.result()).toBe('complete');
    expect((await row(withdrawalId)).status).toBe('complete');
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '0.00' });
  });

  it('an operator abort while the on-ramp is being minted is refused: the abort would off-ramp nothing and refund money that became USDC', async () => {
    const user = await createInvestor(stack, '18.00');
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'listDeposits', kind: 'reject' });
    const { handle, withdrawalId } = await withdraw(user.id, '18.00');
    expect(await parkedProgress(handle)).toMatchObject({ parked: { step: 'waitOnRamp' } });
    await expect(operatorDecides(handle, 'abort')).rejects.toMatchObject({
      cause: { type: abortRefusedType, message: expect.stringMatching(/waitOnRamp is (pending|complete) at the provider/) },
    });
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '0.00' });
    await operatorDecides(handle, 'retry');
    expect(await handle.result()).toBe('complete');
    expect((await row(withdrawalId)).status).toBe('complete');
  });

  it('an operator abort after the money left the broker and the on-ramp failed at Circle puts it back and ends failed with the reservation released', async () => {
    const user = await createInvestor(stack, '70.00');
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'createMockWire', kind: 'reject' });
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'listDeposits', kind: 'reject' });
    const journalsBefore = await stack.sandbox.control.effectCount('alpaca-broker', 'createJournal');
    const { handle, withdrawalId } = await withdraw(user.id, '70.00');
    await parkedProgress(handle);
    await abortOnceAllowed(handle);
    expect(await handle.result()).toBe('failed');
    expect((await row(withdrawalId)).failureReason).toMatch(/aborted by an operator at waitOnRamp/);
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '70.00' });
    expect((await stack.sandbox.control.effectCount('alpaca-broker', 'createJournal')) - journalsBefore).toBe(2);
  });

  it('a refund the broker refuses during compensation parks; an operator retry completes the compensation', async () => {
    const user = await createInvestor(stack, '33.00');
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'createMockWire', kind: 'reject' });
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'listDeposits', kind: 'reject' });
    const { handle, withdrawalId } = await withdraw(user.id, '33.00');
    await parkedProgress(handle);
    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
    await abortOnceAllowed(handle);

    const compensating = await eventually(async () => {
      const progress = await handle.query(progressQuery);
      return progress.parked?.step === 'compensate-refund' ? progress : undefined;
    });
    expect(compensating.status).toBe('on_ramp_initiated');
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '0.00' });

    await operatorDecides(handle, 'retry');
    expect(await handle.result()).toBe('failed');
    expect((await row(withdrawalId)).status).toBe('failed');
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '33.00' });
  });
});

/** Aborts once the parked step's movement has settled as failed at the provider (the saga refuses it before). */
function abortOnceAllowed(handle: WorkflowHandle) {
  return eventually(() =>
    operatorDecides(handle, 'abort').then(
      () => true,
      () => undefined,
    ),
  );
}

describe('a failed withdrawal is never "already done"', () => {
  /** Requests the sandbox saw under this withdrawal's idempotency keys, per provider operation. */
  function requestsUnder(effects: EffectRecord[], withdrawalId: string): Record<string, number> {
    const workflowId = workflowIds.withdrawal(withdrawalId);
    const steps = [
      'broker-withdrawal',
      'on-ramp',
      'treasury-funding',
      'transfer',
      'compensate-treasury-return',
      'compensate-off-ramp',
      'compensate-refund',
    ];
    const keys = new Set(steps.flatMap((step) => [`${workflowId}:${step}`, idempotencyUuid(`${workflowId}:${step}`)]));
    const requests: Record<string, number> = {};
    for (const e of effects)
      if (keys.has(e.key)) requests[`${e.provider}.${e.operation}`] = (requests[`${e.provider}.${e.operation}`] ?? 0) + e.requests;
    return requests;
  }

  it('an operator reset of a withdrawal that ended failed ends the new run failed at once: no USDC is sent after the refund', async () => {
    const user = await createInvestor(stack, '52.00');
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'createTransaction', kind: 'reject' });
    const { handle, withdrawalId } = await withdraw(user.id, '52.00');
    expect(await handle.result()).toBe('failed');
    const failed = await row(withdrawalId);
    expect(failed.failureReason).toMatch(/initiateWithdrawalTransfer rejected/);
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '52.00' });
    const effectsBefore = await stack.sandbox.control.effects();
    const custodyBefore = await custody.balances();

    const reset = await resetAfterAccept(stack.client, handle);
    // Before the fix the new run sent the USDC (the refused transfer left no idempotency record) and then stuck
    // on the failed row: wait for either outcome, then judge.
    const transferKey = idempotencyUuid(`${workflowIds.withdrawal(withdrawalId)}:transfer`);
    await eventually(async () =>
      (await reset.describe()).status.name !== 'RUNNING' ||
      (await stack.sandbox.control.effectCount('circle-wallets', 'createTransaction', transferKey)) > 0
        ? true
        : undefined,
    );
    expect(await stack.sandbox.control.effectCount('circle-wallets', 'createTransaction', transferKey)).toBe(0);
    expect(await reset.result()).toBe('failed');
    // No provider effect, and not even a replayed request under one of the run's keys.
    const effectsAfter = await stack.sandbox.control.effects();
    expect(effectsAfter.totals).toEqual(effectsBefore.totals);
    expect(requestsUnder(effectsAfter.effects, withdrawalId)).toEqual(requestsUnder(effectsBefore.effects, withdrawalId));
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
    expect(await row(withdrawalId)).toMatchObject({ status: 'failed', failureReason: failed.failureReason, txHash: null });
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '52.00', pendingBrokerDepositsUsd: '0.00' });
    expect(await custody.balances()).toEqual(custodyBefore);
  });
});
