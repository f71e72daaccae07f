import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { idempotencyUuid } from '../../src/providers/idempotency.js';
import { abortRefusedType, searchAttributes, workflowIds } from '../../workflows/definitions.js';
import { eventually } from '../helpers/eventually.js';
import { balancesOf, createUser, startStack, type Stack } from '../helpers/stack.js';
import { resetAfterAccept } from './reset.js';
import { depositUsdc, parkedProgress, provisionWallet } from './support.js';
import { operatorDecides } from '../helpers/operator.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ name: 'deposits' });
});
afterAll(async () => stack?.stop());
beforeEach(async () => {
  await stack.sandbox.control.clearFaults();
  await stack.sandbox.control.settings({ stepDelayMs: 20 });
});

/** What the firm holds of a deposit that no balance shows (rounding dust, suspense), by kind. */
async function unallocatedOf(depositId: string) {
  const rows = await stack.db.unallocatedFund.findMany({ where: { source: `deposit:${depositId}` } });
  return Object.fromEntries(
    rows.map((r) => [r.kind, { currency: r.currency, amount: r.amount.toFixed(), userId: r.userId, reason: r.reason }]),
  );
}

async function fundedUser() {
  const user = await createUser(stack.db);
  const wallet = await provisionWallet(stack, user.id);
  return { user, wallet };
}

describe('deposits', () => {
  it('USDC sent on chain to the user wallet becomes buying power, truncated to cents', async () => {
    const { user, wallet } = await fundedUser();
    const { result, handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '25.129999' });
    expect(result.accepted).toBe(true);
    expect(await handle.result()).toBe('broker_funded');

    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
    expect(deposit).toMatchObject({ status: 'broker_funded', walletId: wallet.id, userId: user.id });
    expect(deposit.amountStablecoin.toFixed()).toBe('25.129999');
    expect(deposit.confirmedAt && deposit.offRampInitiatedAt && deposit.offRampCompletedAt && deposit.brokerFundedAt).toBeTruthy();
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '25.12', pendingBrokerDepositsUsd: '0.00' });
    expect((await handle.describe()).typedSearchAttributes.get(searchAttributes.status)).toBe('broker_funded');
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('the same chain and tx hash reported twice runs one saga and credits once', async () => {
    const { user, wallet } = await fundedUser();
    const first = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '10' });
    const again = await stack.accept('depositWorkflow', workflowIds.deposit('ethereum', first.txHash), {
      chain: 'ethereum',
      txHash: first.txHash,
      reportedBy: `user:${user.id}`,
    });
    expect(again.result).toEqual(first.result);
    expect((await again.handle.describe()).runId).toBe((await first.handle.describe()).runId);
    await first.handle.result();

    // After the saga closed, a third report starts a run that finds the finished row and does nothing.
    const late = await stack.accept('depositWorkflow', workflowIds.deposit('ethereum', first.txHash), {
      chain: 'ethereum',
      txHash: first.txHash,
      reportedBy: `user:${user.id}`,
    });
    expect(late.result).toEqual(first.result);
    expect(await late.handle.result()).toBe('broker_funded');
    expect(await stack.db.deposit.count({ where: { userId: user.id } })).toBe(1);
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '10.00', pendingBrokerDepositsUsd: '0.00' });
    expect(await stack.sandbox.control.effectCount('circle-mint', 'createPayout', undefined)).toBeGreaterThan(0);
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('an on-chain transfer that fails ends the deposit failed with no balance change', async () => {
    const { user, wallet } = await fundedUser();
    const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '5', finalState: 'FAILED' });
    expect(await handle.result()).toBe('failed');
    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
    expect(deposit.status).toBe('failed');
    expect(deposit.failureReason).toMatch(/FAILED/);
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '0.00' });
  });

  it('a deposit whose payout Circle refuses after confirmation parks for an operator, and a retry pays out under a new key', async () => {
    const { user, wallet } = await fundedUser();
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'createPayout', kind: 'reject' });
    const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '12' });
    expect(await parkedProgress(handle)).toMatchObject({ status: 'off_ramp_initiated', parked: { step: 'off-ramp' } });
    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
    expect(deposit).toMatchObject({ status: 'off_ramp_initiated', failureReason: null });
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '12.00' });

    await operatorDecides(handle, 'retry');
    expect(await handle.result()).toBe('broker_funded');
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '12.00', pendingBrokerDepositsUsd: '0.00' });
    const payouts = (await stack.sandbox.control.effects()).effects.filter(
      (e) =>
        e.provider === 'circle-mint' &&
        e.operation === 'createPayout' &&
        [idempotencyUuid(`${handle.workflowId}:off-ramp`), idempotencyUuid(`${handle.workflowId}:off-ramp-1`)].includes(e.key),
    );
    expect(payouts.map((e) => e.count)).toEqual([1, 1]);
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('transient provider faults at every step are retried and the deposit is credited once', async () => {
    const { user, wallet } = await fundedUser();
    const faults = [
      { provider: 'circle-wallets', operation: 'getTransaction', kind: 'http500' },
      { provider: 'circle-mint', operation: 'createPayout', kind: 'timeout' },
      { provider: 'circle-mint', operation: 'getPayout', kind: 'http500' },
      { provider: 'alpaca-broker', operation: 'createJournal', kind: 'timeout' },
      { provider: 'alpaca-broker', operation: 'getJournal', kind: 'http500' },
    ] as const;
    for (const fault of faults) await stack.sandbox.control.fault({ ...fault, times: 1 });
    const { handle } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '40' });
    expect(await handle.result()).toBe('broker_funded');
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '40.00', pendingBrokerDepositsUsd: '0.00' });
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('a funding journal the broker refuses parks the deposit; an operator retry funds it', async () => {
    const { user, wallet } = await fundedUser();
    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
    const { handle } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '15' });
    const progress = await parkedProgress(handle);
    expect(progress).toMatchObject({ status: 'off_ramp_complete', parked: { step: 'broker-fund' } });
    expect((await handle.describe()).typedSearchAttributes.get(searchAttributes.needsOperator)).toBe(true);
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '15.00' });

    await operatorDecides(handle, 'retry');
    expect(await handle.result()).toBe('broker_funded');
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '15.00', pendingBrokerDepositsUsd: '0.00' });
    expect((await handle.describe()).typedSearchAttributes.get(searchAttributes.needsOperator)).toBe(false);
  });

  it('a confirmed deposit an operator aborts ends failed, leaves pending, and its USDC is recorded in suspense by the same statement', async () => {
    const { user, wallet } = await fundedUser();
    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
    const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '9.995' });
    await parkedProgress(handle);
    await operatorDecides(handle, 'abort', 'funding account closed');
    expect(await handle.result()).toBe('failed');
    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
    expect(deposit.failureReason).toMatch(/aborted by an operator at broker-fund/);
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '0.00' });
    // The USDC stays with the firm: what was taken out of pending is in suspense, the sub-cent rest in rounding.
    expect(await unallocatedOf(deposit.id)).toEqual({
      suspense: {
        currency: 'USDC',
        amount: '9.99',
        userId: user.id,
        reason: expect.stringMatching(/aborted by an operator at broker-fund/),
      },
      rounding: { currency: 'USDC', amount: '0.005', userId: user.id, reason: expect.any(String) },
    });
  });

  it('an abort while the deposit’s USDC is arriving is refused (it would keep received money with nothing recorded); a retry credits it', async () => {
    const { user, wallet } = await fundedUser();
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'getTransaction', kind: 'reject' });
    const { handle } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '6' });
    expect(await parkedProgress(handle)).toMatchObject({ status: 'pending_confirmation', parked: { step: 'waitTransfer' } });
    await expect(operatorDecides(handle, 'abort')).rejects.toMatchObject({
      cause: { type: abortRefusedType, message: expect.stringMatching(/waitTransfer is (pending|complete) at the provider/) },
    });
    await operatorDecides(handle, 'retry');
    expect(await handle.result()).toBe('broker_funded');
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '6.00', pendingBrokerDepositsUsd: '0.00' });
  });

  it('a deposit parked before confirmation whose transfer then failed on chain is aborted with no balance change', async () => {
    const { user, wallet } = await fundedUser();
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'getTransaction', kind: 'reject' });
    const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '6', finalState: 'FAILED' });
    expect(await parkedProgress(handle)).toMatchObject({ status: 'pending_confirmation', parked: { step: 'waitTransfer' } });
    // Accepted once Circle reports the transfer FAILED (before that the saga refuses it).
    await eventually(() =>
      operatorDecides(handle, 'abort').then(
        () => true,
        () => undefined,
      ),
    );
    expect(await handle.result()).toBe('failed');
    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
    expect(deposit.confirmedAt).toBeNull();
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '0.00' });
    expect(await unallocatedOf(deposit.id)).toEqual({});
  });

  it('the sub-cent USDC truncated when converting to USD is recorded as rounding by the statement that confirms', async () => {
    const { user, wallet } = await fundedUser();
    const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '10.129999' });
    expect(await handle.result()).toBe('broker_funded');
    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '10.12', pendingBrokerDepositsUsd: '0.00' });
    expect(await unallocatedOf(deposit.id)).toEqual({
      rounding: { currency: 'USDC', amount: '0.009999', userId: user.id, reason: expect.stringMatching(/cent/) },
    });
  });

  it('a deposit row that disagrees with the transfer Circle reports is parked for an operator before confirmation and never credited', async () => {
    const { user, wallet } = await fundedUser();
    // The transfer stays CONFIRMED for a while; meanwhile the row is made to claim more than arrived.
    await stack.sandbox.control.settings({ stepDelayMs: 1_500 });
    const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '4' });
    await stack.db.deposit.update({ where: { chain_txHash: { chain: 'ethereum', txHash } }, data: { amountStablecoin: '4000' } });

    const progress = await parkedProgress(handle);
    expect(progress).toMatchObject({ status: 'pending_confirmation', parked: { step: 'confirmDeposit' } });
    expect(progress.parked!.reason).toMatch(/amount/);
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '0.00' });
    expect((await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } })).status).toBe(
      'pending_confirmation',
    );
    // The USDC did arrive: an abort would keep it with nothing recorded, so only a retry (after the row is
    // put right) goes on, and it credits what Circle says arrived.
    await expect(operatorDecides(handle, 'abort', 'row tampered')).rejects.toMatchObject({ cause: { type: abortRefusedType } });
    await stack.db.deposit.update({ where: { chain_txHash: { chain: 'ethereum', txHash } }, data: { amountStablecoin: '4' } });
    await operatorDecides(handle, 'retry');
    expect(await handle.result()).toBe('broker_funded');
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '4.00', pendingBrokerDepositsUsd: '0.00' });
  });

  it('an operator reset of a deposit that ended failed ends the new run failed at once: nothing is paid out or credited again', async () => {
    const { user, wallet } = await fundedUser();
    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
    const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '11' });
    await parkedProgress(handle);
    await operatorDecides(handle, 'abort');
    expect(await handle.result()).toBe('failed');
    const failed = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
    const effectsBefore = (await stack.sandbox.control.effects()).totals;

    const reset = await resetAfterAccept(stack.client, handle);
    await eventually(
      () => reset.describe(),
      (run) => run.status.name !== 'RUNNING',
      20_000,
    );
    expect(await reset.result()).toBe('failed');
    expect((await stack.sandbox.control.effects()).totals).toEqual(effectsBefore);
    expect(await stack.db.deposit.findUniqueOrThrow({ where: { id: failed.id } })).toMatchObject({
      status: 'failed',
      failureReason: failed.failureReason,
    });
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '0.00' });
  });
});
