import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWithAccept, startWithoutWaiting } from '../../src/api/accept.js';
import { HttpProblem } from '../../src/api/problem.js';
import { operatorUpdate, progressQuery, searchAttributes, staleDecisionType, workflowIds } from '../../workflows/definitions.js';
import { startApi, type Api } from '../api/harness.js';
import { eventually } from '../helpers/eventually.js';
import { operatorDecides } from '../helpers/operator.js';
import { createInvestor, createUser, startStack, type Stack } from '../helpers/stack.js';
import { parkedDeposit, parkedProgress } from '../workflows/support.js';

// An operator's decision is for the step they looked at: the saga's update validator refuses one that names
// another step (or comes when nothing is parked) before it enters the history, and the API answers what the
// saga did. A run abandoned for manual settlement stays ended whoever asks to start it again.

let stack: Stack;
let api: Api;
beforeAll(async () => {
  stack = await startStack({ name: 'decisions' });
  api = await startApi({ stack });
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});
beforeEach(async () => stack.sandbox.control.clearFaults());

const operator = { as: 'operator|decisions-test', operator: true };

async function acceptedUpdates(handle: WorkflowHandle): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

describe('operator decisions', () => {
  it('a retry naming a step the deposit is not parked at is refused (409) and leaves no trace; the parked step goes on', async () => {
    const { deposit, handle } = await parkedDeposit(stack, '4.00');
    const before = await acceptedUpdates(handle);

    const stale = await api.request('POST', `/v1/admin/deposits/${deposit.id}/retry`, { ...operator, body: { step: 'off-ramp' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ title: 'Parked at another step' });
    expect(stale.body.detail).toMatch(/parked at broker-fund, not at off-ramp/);
    expect((await handle.query(progressQuery)).parked).toMatchObject({ step: 'broker-fund' });
    // Refused by the validator: the run's history does not hold the stale decision.
    expect(await acceptedUpdates(handle)).toBe(before);

    const retry = await api.request('POST', `/v1/admin/deposits/${deposit.id}/retry`, { ...operator, body: { step: 'broker-fund' } });
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ workflowId: handle.workflowId, step: 'broker-fund', action: 'retry' });
    expect(await handle.result()).toBe('broker_funded');

    // Once it ended nothing is parked: the same decision again is refused, through the API and by the run.
    expect(
      (await api.request('POST', `/v1/admin/deposits/${deposit.id}/retry`, { ...operator, body: { step: 'broker-fund' } })).status,
    ).toBe(409);
  });

  it('the update itself refuses a decision for another step while the saga is parked', async () => {
    const { handle } = await parkedDeposit(stack, '3.00');
    const refused = await handle
      .executeUpdate(operatorUpdate, { args: [{ action: 'abort', step: 'waitTransfer', operator: 'test-operator' }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (refused as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe(staleDecisionType);
    await operatorDecides(handle, 'retry');
    expect(await handle.result()).toBe('broker_funded');
  });
});

describe('a wallet parked while the request that created it waits', () => {
  it('resumes on the retry and answers that request', async () => {
    const user = await createUser(stack.db);
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'createWallets', kind: 'reject' });
    const accepting = stack.accept('walletWorkflow', workflowIds.wallet(user.id, 'ethereum'), { userId: user.id, chain: 'ethereum' });
    const handle = stack.client.workflow.getHandle(workflowIds.wallet(user.id, 'ethereum'));
    await eventually(() =>
      handle.query(progressQuery).then(
        (p) => p.parked,
        () => undefined,
      ),
    );
    expect(await operatorDecides(handle, 'retry')).toMatchObject({ step: 'createCustodyWallet', action: 'retry' });
    expect((await accepting).result).toMatchObject({ accepted: true });
    expect(await handle.result()).toBe('active');
  });
});

describe('a withdrawal abandoned for manual settlement', () => {
  it('keeps needing an operator once ended, and no repeated start runs it again', async () => {
    const investor = await createInvestor(stack, '50.00');
    // Circle refuses the transfer to the user, then the compensation's return of the USDC to Mint: the saga parks
    // in its compensation, and the operator gives up on it (the row stays where it is, to settle by hand).
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'createTransaction', kind: 'reject', times: 2 });
    const withdrawalId = randomUUID();
    const input = {
      withdrawalId,
      userId: investor.id,
      amountUsd: '20.00',
      targetChain: 'ethereum',
      targetAddress: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    };
    const workflowId = workflowIds.withdrawal(withdrawalId);
    const { handle } = await stack.accept('withdrawalWorkflow', workflowId, input);
    expect((await parkedProgress(handle)).parked).toMatchObject({ step: 'compensate-treasury-return' });
    await operatorDecides(handle, 'abort', 'settling by hand');
    await expect(handle.result()).rejects.toThrow();
    const ended = await handle.describe();
    expect(ended.status.name).toBe('FAILED');
    expect(ended.typedSearchAttributes.get(searchAttributes.needsOperator)).toBe(true);
    const row = await stack.db.withdrawal.findUniqueOrThrow({ where: { id: withdrawalId } });

    // The API's one way to start a saga (routes and the Circle webhook alike) refuses, and starts no run.
    const deps = { temporal: stack.client, config: stack.config };
    const start = { workflowType: 'withdrawalWorkflow' as const, workflowId, input };
    const repeated = await startWithAccept(deps, start).catch((error: unknown) => error);
    expect(repeated).toBeInstanceOf(HttpProblem);
    expect(repeated).toMatchObject({ status: 409 });
    expect(await startWithoutWaiting(deps, start)).toBe('abandoned');
    const latest = await stack.client.workflow.getHandle(workflowId).describe();
    expect(latest.runId).toBe(ended.runId);
    await eventually(async () => (await stack.db.withdrawal.findUniqueOrThrow({ where: { id: withdrawalId } })).status);
    expect(await stack.db.withdrawal.findUniqueOrThrow({ where: { id: withdrawalId } })).toMatchObject({ status: row.status });
  });
});
