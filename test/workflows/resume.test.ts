import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { workflowIds } from '../../workflows/definitions.js';
import { balancesOf, createInvestor, createUser, startStack, type Stack } from '../helpers/stack.js';
import { depositUsdc, parkedProgress, provisionWallet } from './support.js';

// A run that is terminated half-way (an operator's last resort) leaves its row where it was; a new run of the
// same id (a new accept) picks the saga up from that row. Every step is keyed by workflow id + step, so the
// steps it replays move no money twice, at the providers or in the ledger.

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ name: 'resume' });
});
afterAll(async () => stack?.stop());
beforeEach(async () => stack.sandbox.control.clearFaults());

describe('a saga terminated half-way and started again', () => {
  it('a deposit resumes from its row and is credited once', async () => {
    const user = await createUser(stack.db);
    const wallet = await provisionWallet(stack, user.id);
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'getPayout', kind: 'reject' });
    const first = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '18.40' });
    expect(await parkedProgress(first.handle)).toMatchObject({ status: 'off_ramp_initiated' });
    await first.handle.terminate('operator: restart this deposit');
    const payouts = await stack.sandbox.control.effectCount('circle-mint', 'createPayout');

    const again = await stack.accept(
      'depositWorkflow',
      workflowIds.deposit('ethereum', first.txHash),
      { chain: 'ethereum', txHash: first.txHash, userId: user.id },
      { updateId: 'accept-resume' },
    );
    expect(again.result).toEqual(first.result);
    expect(await again.handle.result()).toBe('broker_funded');
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '18.40', pendingBrokerDepositsUsd: '0.00' });
    expect(await stack.sandbox.control.effectCount('circle-mint', 'createPayout')).toBe(payouts);
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('a withdrawal resumes from its row with the amount reserved once', async () => {
    const user = await createInvestor(stack, '64.00');
    await stack.sandbox.control.fault({ provider: 'circle-mint', operation: 'listDeposits', kind: 'reject' });
    const withdrawalId = randomUUID();
    const input = {
      withdrawalId,
      userId: user.id,
      amountUsd: '64.00',
      targetChain: 'ethereum',
      targetAddress: '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
    };
    const first = await stack.accept('withdrawalWorkflow', workflowIds.withdrawal(withdrawalId), input);
    expect(await parkedProgress(first.handle)).toMatchObject({ status: 'on_ramp_initiated' });
    await first.handle.terminate('operator: restart this withdrawal');
    const journals = await stack.sandbox.control.effectCount('alpaca-broker', 'createJournal');

    const again = await stack.accept('withdrawalWorkflow', workflowIds.withdrawal(withdrawalId), input, { updateId: 'accept-resume' });
    expect(again.result).toEqual({ accepted: true, id: withdrawalId });
    expect(await again.handle.result()).toBe('complete');
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '0.00' });
    expect(await stack.sandbox.control.effectCount('alpaca-broker', 'createJournal')).toBe(journals);
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });
});
