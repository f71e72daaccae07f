import { randomUUID } from 'node:crypto';
import { operatorDecides } from '../helpers/operator.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { progressQuery, searchAttributes, workflowIds } from '../../workflows/definitions.js';
import { balancesOf, createUser, startStack, type Stack } from '../helpers/stack.js';
import { eventually } from '../helpers/eventually.js';
import { parkedProgress, provisionWallet } from './support.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ name: 'withdrawals' });
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
    const user = await createUser(stack.db, { buyingPowerUsd: '100.00' });
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

  it('a user without a wallet on the target chain is paid from the treasury wallet', async () => {
    const user = await createUser(stack.db, { buyingPowerUsd: '10.00' });
    const { handle, withdrawalId } = await withdraw(user.id, '10.00');
    expect(await handle.result()).toBe('complete');
    expect((await row(withdrawalId)).txHash).toBeTruthy();
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '0.00' });
  });

  it('more than the buying power is refused with 422: no row, no reservation', async () => {
    const user = await createUser(stack.db, { buyingPowerUsd: '20.00' });
    const { result, handle, withdrawalId } = await withdraw(user.id, '20.01', { idempotencyKey: 'too-much' });
    expect(result).toMatchObject({ accepted: false, problem: { status: 422, title: 'Insufficient buying power' } });
    expect(await handle.result()).toBeUndefined();
    expect(await stack.db.withdrawal.findUnique({ where: { id: withdrawalId } })).toBeNull();
    expect(await stack.db.idempotencyKey.count({ where: { userId: user.id } })).toBe(0);
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '20.00' });
  });

  it('two withdrawals racing for the same buying power: exactly one is accepted', async () => {
    const user = await createUser(stack.db, { buyingPowerUsd: '50.00' });
    const results = await Promise.all([withdraw(user.id, '40.00'), withdraw(user.id, '40.00')]);
    expect(results.filter((r) => r.result.accepted)).toHaveLength(1);
    await Promise.all(results.map((r) => r.handle.result()));
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '10.00' });
  });

  it('transient faults at every step are retried; one withdrawal, one effect each', async () => {
    const user = await createUser(stack.db, { buyingPowerUsd: '30.00' });
    const faults = [
      { provider: 'alpaca-broker', operation: 'createJournal', kind: 'timeout' },
      { provider: 'alpaca-broker', operation: 'getJournal', kind: 'http500' },
      { provider: 'circle-mint', operation: 'createMockWire', kind: 'timeout' },
      { provider: 'circle-mint', operation: 'listDeposits', kind: 'http500' },
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
    const user = await createUser(stack.db, { buyingPowerUsd: '80.00' });
    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
    const { handle, withdrawalId } = await withdraw(user.id, '80.00');
    expect(await handle.result()).toBe('failed');
    const failed = await row(withdrawalId);
    expect(failed.status).toBe('failed');
    expect(failed.failureReason).toMatch(/initiateBrokerWithdrawal rejected/);
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '80.00', pendingBrokerDepositsUsd: '0.00' });
  });

  it('an on-ramp that fails puts the money back at the broker and gives the reservation back', async () => {
    const user = await createUser(stack.db, { buyingPowerUsd: '25.00' });
    const journalsBefore = await stack.sandbox.control.effectCount('alpaca-broker', 'createJournal');
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'createMockWire', kind: 'reject' });
    const { handle, withdrawalId } = await withdraw(user.id, '25.00');
    expect(await handle.result()).toBe('failed');
    expect((await row(withdrawalId)).failureReason).toMatch(/on-ramp/);
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '25.00' });
    // The withdrawal journal out, and the refund journal back in.
    expect((await stack.sandbox.control.effectCount('alpaca-broker', 'createJournal')) - journalsBefore).toBe(2);
  });

  it('a transfer Circle refuses is reversed through off-ramp and refund, and the reservation comes back', async () => {
    const user = await createUser(stack.db, { buyingPowerUsd: '45.50' });
    const payoutsBefore = await stack.sandbox.control.effectCount('circle-mint', 'createPayout');
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'createTransaction', kind: 'reject' });
    const { handle, withdrawalId } = await withdraw(user.id, '45.50');
    expect(await handle.result()).toBe('failed');
    const failed = await row(withdrawalId);
    expect(failed.failureReason).toMatch(/initiateWithdrawalTransfer rejected/);
    expect(failed.txHash).toBeNull();
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '45.50' });
    expect((await stack.sandbox.control.effectCount('circle-mint', 'createPayout')) - payoutsBefore).toBe(1);
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('a step failing for good parks the withdrawal; an operator retry resumes it to complete', async () => {
    const user = await createUser(stack.db, { buyingPowerUsd: '12.00' });
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

  it('an operator abort after the money left the broker puts it back and ends failed with the reservation released', async () => {
    const user = await createUser(stack.db, { buyingPowerUsd: '70.00' });
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'listDeposits', kind: 'reject' });
    const journalsBefore = await stack.sandbox.control.effectCount('alpaca-broker', 'createJournal');
    const { handle, withdrawalId } = await withdraw(user.id, '70.00');
    await parkedProgress(handle);
    await operatorDecides(handle, 'abort');
    expect(await handle.result()).toBe('failed');
    expect((await row(withdrawalId)).failureReason).toMatch(/aborted by an operator at waitOnRamp/);
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '70.00' });
    expect((await stack.sandbox.control.effectCount('alpaca-broker', 'createJournal')) - journalsBefore).toBe(2);
  });

  it('a refund the broker refuses during compensation parks; an operator retry completes the compensation', async () => {
    const user = await createUser(stack.db, { buyingPowerUsd: '33.00' });
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'listDeposits', kind: 'reject' });
    const { handle, withdrawalId } = await withdraw(user.id, '33.00');
    await parkedProgress(handle);
    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'createJournal', kind: 'reject' });
    await operatorDecides(handle, 'abort');

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
