import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { workflowIds } from '../../workflows/definitions.js';
import { startApi, type Api } from '../api/harness.js';
import { balancesOf, createInvestor, startStack, type Stack } from '../helpers/stack.js';
import { parkedProgress } from '../workflows/support.js';

// An operator's abort compensates what the parked step did, so it must never run while that step's money
// movement exists at the provider: the saga reads it first and refuses (409 with the reason). Without that check
// an abort of a withdrawal whose journal already took the money out of the brokerage account gave the user their
// buying power back while the money stayed outside: money created for the user, lost for the firm.

let stack: Stack;
let api: Api;
beforeAll(async () => {
  stack = await startStack({ name: 'abort' });
  api = await startApi({ stack });
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});
beforeEach(async () => stack.sandbox.control.clearFaults());

const operator = { as: 'operator|abort-test', operator: true };

/** A user with buying power and passcode 424242 who withdraws `amountUsd` through the API. */
async function withdrawThroughApi(amountUsd: string) {
  const user = await createInvestor(stack, amountUsd);
  await api.request('PUT', '/v1/me/passcode', { as: user.authProviderId, body: { passcode: '424242' } });
  const reply = await api.request('POST', '/v1/withdrawals', {
    as: user.authProviderId,
    headers: { 'idempotency-key': randomUUID() },
    body: { amountUsd, targetChain: 'ethereum', targetAddress: '0x52908400098527886E0F7030069857D2E4169EE7', passcode: '424242' },
  });
  expect(reply.status).toBe(202);
  const withdrawalId = reply.body.id as string;
  return { user, withdrawalId, handle: stack.client.workflow.getHandle(workflowIds.withdrawal(withdrawalId)) };
}

describe('operator abort', () => {
  it('is refused while the parked step’s journal has moved the money at the broker; a retry completes the withdrawal once', async () => {
    const journalsBefore = await stack.sandbox.control.effectCount('alpaca-broker', 'createJournal');
    // Reading the journal is refused once: the wait parks while the journal itself executes at the broker.
    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'getJournal', kind: 'reject' });
    const { user, withdrawalId, handle } = await withdrawThroughApi('64.00');
    expect(await parkedProgress(handle)).toMatchObject({ parked: { step: 'waitBrokerWithdrawal' } });

    const abort = await api.request('POST', `/v1/admin/withdrawals/${withdrawalId}/abort`, { ...operator, body: { note: 'looks stuck' } });
    expect(abort.status).toBe(409);
    expect(abort.body).toMatchObject({
      title: 'Abort refused',
      detail: expect.stringMatching(/waitBrokerWithdrawal is (pending|complete) at the provider/),
    });
    // Nothing was compensated: the reservation is still out, the row still where the saga parked it.
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '0.00' });
    expect((await stack.db.withdrawal.findUniqueOrThrow({ where: { id: withdrawalId } })).status).toBe('broker_withdrawal_initiated');

    const retry = await api.request('POST', `/v1/admin/withdrawals/${withdrawalId}/retry`, operator);
    expect(retry.status).toBe(202);
    expect(await handle.result()).toBe('complete');
    expect(await balancesOf(stack.db, user.id)).toMatchObject({ buyingPowerUsd: '0.00' });
    // One journal out of the broker, none back: the money left once and was never "returned" on paper.
    expect((await stack.sandbox.control.effectCount('alpaca-broker', 'createJournal')) - journalsBefore).toBe(1);
  });
});
