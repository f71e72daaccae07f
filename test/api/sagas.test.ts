import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balancesOf, createInvestor, createUser, startStack, type Stack } from '../helpers/stack.js';
import { eventually } from '../helpers/eventually.js';
import { startApi, type Api } from './harness.js';

// The API over the whole stack: real workflows on a worker, the provider sandbox behind the official SDKs.
// What a request starts is checked where it lands: rows, balances, Temporal runs.

let stack: Stack;
let api: Api;
beforeAll(async () => {
  stack = await startStack({ name: 'api' });
  api = await startApi({ stack });
  await stack.sandbox.control.setWebhookUrl(`${api.url}/v1/webhooks/circle`);
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});

const address = '0x52908400098527886E0F7030069857D2E4169EE7';

async function runsOf(workflowId: string): Promise<number> {
  let count = 0;
  for await (const _ of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) count++;
  return count;
}

/** A KYC-approved user with buying power and passcode 424242, acting through the API. */
async function saver(buyingPowerUsd = '100.00') {
  const user = await createInvestor(stack, buyingPowerUsd);
  await api.request('PUT', '/v1/me/passcode', { as: user.authProviderId, body: { passcode: '424242' } });
  return { id: user.id, as: user.authProviderId };
}

describe('POST /v1/withdrawals', () => {
  it('reserves the amount once however often the same Idempotency-Key is repeated', async () => {
    const user = await saver('100.00');
    const key = randomUUID();
    const send = () =>
      api.request('POST', '/v1/withdrawals', {
        as: user.as,
        headers: { 'idempotency-key': key },
        body: { amountUsd: '40.00', targetChain: 'ethereum', targetAddress: address, passcode: '424242' },
      });
    const first = await send();
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ amountUsd: '40.00', targetChain: 'ethereum', targetAddress: address });

    const repeats = await Promise.all([send(), send(), send()]);
    for (const reply of repeats) {
      expect(reply.status).toBe(202);
      expect(reply.body.id).toBe(first.body.id);
    }
    expect(await stack.db.withdrawal.count({ where: { userId: user.id } })).toBe(1);
    expect((await balancesOf(stack.db, user.id))?.buyingPowerUsd).toBe('60.00');
    expect(await runsOf(`withdrawal-${first.body.id}`)).toBe(1);
    // Operators see the amount on the run in the Temporal UI: its memo and one-line summary.
    const run = await stack.client.workflow.getHandle(`withdrawal-${first.body.id}`).describe();
    expect(run.memo).toMatchObject({ amountUsd: '40.00', targetChain: 'ethereum', targetAddress: address });
    expect(await run.staticSummary()).toBe(`Withdraw 40.00 USD as USDC to ethereum ${address}`);
    const keyRow = await stack.db.idempotencyKey.findUniqueOrThrow({ where: { userId_key: { userId: user.id, key } } });
    expect(keyRow).toMatchObject({ resourceId: first.body.id, resourceType: 'withdrawal' });

    const changed = await api.request('POST', '/v1/withdrawals', {
      as: user.as,
      headers: { 'idempotency-key': key },
      body: { amountUsd: '50.00', targetChain: 'ethereum', targetAddress: address, passcode: '424242' },
    });
    expect(changed.status).toBe(409);
    expect((await balancesOf(stack.db, user.id))?.buyingPowerUsd).toBe('60.00');
  });

  it('answers the saga’s 422 when buying power does not cover the amount, and writes nothing', async () => {
    const user = await saver('10.00');
    const reply = await api.request('POST', '/v1/withdrawals', {
      as: user.as,
      headers: { 'idempotency-key': randomUUID() },
      body: { amountUsd: '10.01', targetChain: 'ethereum', targetAddress: address, passcode: '424242' },
    });
    expect(reply.status).toBe(422);
    expect(reply.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await stack.db.withdrawal.count({ where: { userId: user.id } })).toBe(0);
    expect(await stack.db.idempotencyKey.count({ where: { userId: user.id } })).toBe(0);
    expect((await balancesOf(stack.db, user.id))?.buyingPowerUsd).toBe('10.00');
  });

  it('lets another user see none of it', async () => {
    const owner = await saver('20.00');
    const created = await api.request('POST', '/v1/withdrawals', {
      as: owner.as,
      body: { amountUsd: '5.00', targetChain: 'ethereum', targetAddress: address, passcode: '424242' },
    });
    expect(created.status).toBe(202);
    const other = await saver();
    expect((await api.request('GET', `/v1/withdrawals/${created.body.id}`, { as: other.as })).status).toBe(404);
    expect((await api.request('GET', '/v1/withdrawals', { as: other.as })).body.items).toEqual([]);
    expect((await api.request('GET', `/v1/withdrawals/${created.body.id}`, { as: owner.as })).body.id).toBe(created.body.id);
  });
});

describe('KYC', () => {
  it('goes pending on submission and approved on the operator’s decision', async () => {
    const user = await createUser(stack.db, { kycStatus: 'not_started' });
    const submitted = await api.request('POST', '/v1/me/kyc', { as: user.authProviderId });
    expect(submitted.status).toBe(202);
    expect(submitted.body).toEqual({ kycStatus: 'pending' });

    const decided = await api.request('POST', `/v1/admin/users/${user.id}/kyc-decision`, {
      as: 'ops',
      operator: true,
      body: { decision: 'approved' },
    });
    expect(decided.status).toBe(202);
    const row = await eventually(
      () => stack.db.user.findUniqueOrThrow({ where: { id: user.id } }),
      (u) => u.kycStatus !== 'pending',
    );
    expect(row.kycStatus).toBe('approved');

    const again = await api.request('POST', `/v1/admin/users/${user.id}/kyc-decision`, {
      as: 'ops',
      operator: true,
      body: { decision: 'rejected' },
    });
    expect(again.status).toBe(404);
    expect(
      (
        await api.request('POST', `/v1/admin/users/${randomUUID()}/kyc-decision`, {
          as: 'ops',
          operator: true,
          body: { decision: 'approved' },
        })
      ).status,
    ).toBe(404);
  });

  it('lets a rejected user submit again, which starts a new review', async () => {
    const user = await createUser(stack.db, { kycStatus: 'not_started' });
    expect((await api.request('POST', '/v1/me/kyc', { as: user.authProviderId })).status).toBe(202);
    await api.request('POST', `/v1/admin/users/${user.id}/kyc-decision`, { as: 'ops', operator: true, body: { decision: 'rejected' } });
    await eventually(
      () => stack.db.user.findUniqueOrThrow({ where: { id: user.id } }),
      (u) => u.kycStatus === 'rejected',
    );

    // Until the first run has closed, a resubmission is told to come again (409); then it starts a new review.
    const resubmitted = await eventually(
      () => api.request('POST', '/v1/me/kyc', { as: user.authProviderId }),
      (reply) => reply.status !== 409,
    );
    expect(resubmitted.status).toBe(202);
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: user.id } })).kycStatus).toBe('pending');
    expect(await runsOf(`kyc-${user.id}`)).toBe(2);
  });
});

describe('deposits', () => {
  it('start from Circle’s signed webhook when USDC reaches a user’s wallet, and the app’s report finds the same deposit', async () => {
    const user = await createUser(stack.db);
    const provisioned = await api.request('POST', '/v1/wallets', { as: user.authProviderId, body: { chain: 'ethereum' } });
    expect(provisioned.status).toBe(202);
    const wallet = await eventually(
      () => stack.db.wallet.findUniqueOrThrow({ where: { id: provisioned.body.id } }),
      (w) => w.status === 'active',
    );
    expect((await api.request('POST', '/v1/wallets', { as: user.authProviderId, body: { chain: 'ethereum' } })).body.id).toBe(wallet.id);

    const transfer = await stack.sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: '25.5' });
    const txHash = transfer.txHash.toLowerCase();
    const deposit = await eventually(
      () => stack.db.deposit.findFirst({ where: { userId: user.id, txHash } }),
      (d) => d !== null,
    );
    expect(deposit).not.toBeNull();
    expect(deposit!.amountStablecoin.toFixed()).toBe('25.5');

    const reported = await api.request('POST', '/v1/deposits', { as: user.authProviderId, body: { chain: 'ethereum', txHash } });
    expect(reported.status).toBe(200);
    expect(reported.body.id).toBe(deposit!.id);
    // Every notification of the transfer (its later states signal the running saga) was taken with a 200.
    const deliveries = await eventually(
      () => stack.sandbox.control.webhooks(),
      (all) => all.some((d) => d.transactionId === transfer.id && d.state === 'COMPLETE' && d.lastStatus !== undefined),
    );
    const forTransfer = deliveries.filter((d) => d.transactionId === transfer.id);
    expect(forTransfer.length).toBeGreaterThan(1);
    expect(forTransfer.map((d) => d.lastStatus)).toEqual(forTransfer.map(() => 200));
    expect(await runsOf(`deposit-ethereum-${txHash}`)).toBe(1);
    expect(await stack.db.deposit.count({ where: { txHash } })).toBe(1);
  });

  it('report of a hash that reached nobody’s wallet is 404 and writes nothing', async () => {
    const user = await createUser(stack.db);
    const txHash = `0x${randomBytes(32).toString('hex')}`;
    const reply = await api.request('POST', '/v1/deposits', { as: user.authProviderId, body: { chain: 'ethereum', txHash } });
    expect(reply.status).toBe(404);
    expect(await stack.db.deposit.count({ where: { txHash } })).toBe(0);
  });
});
