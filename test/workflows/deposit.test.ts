import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { operatorDecides } from '../helpers/operator.js';
import { searchAttributes, workflowIds } from '../../workflows/definitions.js';
import { balancesOf, createUser, startStack, type Stack } from '../helpers/stack.js';
import { depositUsdc, parkedProgress, provisionWallet } from './support.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ name: 'deposits' });
});
afterAll(async () => stack?.stop());
beforeEach(async () => stack.sandbox.control.clearFaults());

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
      userId: user.id,
    });
    expect(again.result).toEqual(first.result);
    expect((await again.handle.describe()).runId).toBe((await first.handle.describe()).runId);
    await first.handle.result();

    // After the saga closed, a third report starts a run that finds the finished row and does nothing.
    const late = await stack.accept('depositWorkflow', workflowIds.deposit('ethereum', first.txHash), {
      chain: 'ethereum',
      txHash: first.txHash,
      userId: user.id,
    });
    expect(late.result).toEqual(first.result);
    expect(await late.handle.result()).toBe('broker_funded');
    expect(await stack.db.deposit.count({ where: { userId: user.id } })).toBe(1);
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '10.00', pendingBrokerDepositsUsd: '0.00' });
    expect(await stack.sandbox.control.effectCount('circle-mint', 'createPayout', undefined)).toBeGreaterThan(0);
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('a webhook-started deposit needs no lookup at Circle and ends funded', async () => {
    const { user, wallet } = await fundedUser();
    const tx = await stack.sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: '7.5' });
    const txHash = tx.txHash.toLowerCase();
    const transfer = {
      id: tx.id,
      state: 'pending',
      providerState: tx.state,
      direction: 'inbound',
      chain: 'ethereum',
      walletId: tx.walletId,
      amountUsdc: tx.amounts[0],
      txHash,
      destinationAddress: tx.destinationAddress,
    };
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'listTransactions', kind: 'reject', times: 100 });
    const { result, handle } = await stack.accept('depositWorkflow', workflowIds.deposit('ethereum', txHash), {
      chain: 'ethereum',
      txHash,
      userId: user.id,
      transfer,
    });
    expect(result.accepted).toBe(true);
    expect(await handle.result()).toBe('broker_funded');
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '7.50', pendingBrokerDepositsUsd: '0.00' });
  });

  it("a hash reported by someone whose wallet did not receive it is refused with 404 and writes nothing", async () => {
    const { user, wallet } = await fundedUser();
    const stranger = await createUser(stack.db);
    const tx = await stack.sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: '3' });
    const txHash = tx.txHash.toLowerCase();
    const { result } = await stack.accept('depositWorkflow', workflowIds.deposit('ethereum', txHash), {
      chain: 'ethereum',
      txHash,
      userId: stranger.id,
    });
    expect(result).toMatchObject({ accepted: false, problem: { status: 404 } });
    expect(await stack.db.deposit.count({ where: { txHash } })).toBe(0);
    expect(user.id).not.toBe(stranger.id);
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

  it('a deposit whose off-ramp is rejected ends failed with its buying power untouched', async () => {
    const { user, wallet } = await fundedUser();
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'createPayout', kind: 'reject' });
    const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '12' });
    expect(await handle.result()).toBe('failed');
    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
    expect(deposit).toMatchObject({ status: 'failed' });
    expect(deposit.confirmedAt).not.toBeNull();
    expect(deposit.failureReason).toMatch(/transaction_denied/);
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '0.00' });
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

  it('an operator abort of a parked deposit ends it failed and takes it out of pending', async () => {
    const { user, wallet } = await fundedUser();
    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
    const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '9.99' });
    await parkedProgress(handle);
    await operatorDecides(handle, 'abort', 'funding account closed');
    expect(await handle.result()).toBe('failed');
    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
    expect(deposit.failureReason).toMatch(/aborted by an operator at broker-fund/);
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '0.00' });
  });

  it('a deposit parked before confirmation and aborted ends failed with no balance change', async () => {
    const { user, wallet } = await fundedUser();
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'getTransaction', kind: 'reject' });
    const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '6' });
    expect(await parkedProgress(handle)).toMatchObject({ status: 'pending_confirmation', parked: { step: 'waitTransfer' } });
    await operatorDecides(handle, 'abort');
    expect(await handle.result()).toBe('failed');
    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
    expect(deposit.confirmedAt).toBeNull();
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '0.00' });
  });
});

