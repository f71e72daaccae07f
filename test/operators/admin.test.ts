import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { progressQuery, workflowIds } from '../../workflows/definitions.js';
import { startApi, type Api } from '../api/harness.js';
import { balancesOf, createUser, startStack, type Stack } from '../helpers/stack.js';
import { eventually } from '../helpers/eventually.js';
import { depositUsdc, parkedDeposit, provisionWallet } from '../workflows/support.js';

// The operator's loop over the real stack: a deposit whose funding journal the broker refuses parks; the
// operator finds it in GET /v1/admin/workflows, retries it through the API, and the money lands exactly once.

let stack: Stack;
let api: Api;
beforeAll(async () => {
  stack = await startStack({ name: 'operators' });
  api = await startApi({ stack });
  await stack.sandbox.control.setWebhookUrl(`${api.url}/v1/webhooks/circle`);
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});
beforeEach(async () => stack.sandbox.control.clearFaults());

const operator = { as: 'operator|admin-test', operator: true };

/** The runs the admin list shows for this query, once visibility has caught up with `until`. */
async function listed(query: string, until: (items: any[]) => boolean) {
  return eventually(async () => {
    const reply = await api.request('GET', `/v1/admin/workflows?${query}`, operator);
    expect(reply.status).toBe(200);
    return until(reply.body.items) ? reply.body : undefined;
  });
}

describe('operators', () => {
  it('a deposit parked at funding is listed as needing an operator, and a retry through the API funds it once', async () => {
    const { user, deposit, handle } = await parkedDeposit(stack, '12.345678');
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '12.34' });

    const page = await listed(`kind=deposit&needsOperator=true&userId=${user.id}`, (items) => items.length > 0);
    expect(page.items).toEqual([
      expect.objectContaining({
        workflowId: handle.workflowId,
        type: 'depositWorkflow',
        kind: 'deposit',
        status: 'off_ramp_complete',
        userId: user.id,
        needsOperator: true,
        executionStatus: 'RUNNING',
        temporalUiUrl: `${stack.config.TEMPORAL_UI_URL}/namespaces/default/workflows/${handle.workflowId}/${page.items[0].runId}/history`,
      }),
    ]);
    expect(page.items[0].closeTime).toBeUndefined();

    const retry = await api.request('POST', `/v1/admin/deposits/${deposit.id}/retry`, operator);
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ workflowId: handle.workflowId, status: 'off_ramp_complete', step: 'broker-fund' });

    expect(await handle.result()).toBe('broker_funded');
    expect(await stack.db.deposit.findUniqueOrThrow({ where: { id: deposit.id } })).toMatchObject({ status: 'broker_funded' });
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '12.34', pendingBrokerDepositsUsd: '0.00' });
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);

    const done = await listed(`kind=deposit&userId=${user.id}&status=broker_funded`, (items) => items.length > 0);
    expect(done.items[0]).toMatchObject({ needsOperator: false, executionStatus: 'COMPLETED', closeTime: expect.any(String) });
    const stillParked = await api.request('GET', `/v1/admin/workflows?kind=deposit&needsOperator=true&userId=${user.id}`, operator);
    expect(stillParked.body.items).toEqual([]);
  });

  it('an operator abort ends a parked deposit failed and takes it out of pending', async () => {
    const { user, deposit, handle } = await parkedDeposit(stack, '8');
    const abort = await api.request('POST', `/v1/admin/deposits/${deposit.id}/abort`, {
      ...operator,
      body: { note: 'funding account closed' },
    });
    expect(abort.status).toBe(202);
    expect(await handle.result()).toBe('failed');
    const row = await stack.db.deposit.findUniqueOrThrow({ where: { id: deposit.id } });
    expect(row.status).toBe('failed');
    expect(row.failureReason).toMatch(/aborted by an operator at broker-fund/);
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '0.00' });
  });

  it('a retry of a deposit that is not parked is 409 and changes nothing', async () => {
    const user = await createUser(stack.db);
    const wallet = await provisionWallet(stack, user.id);
    const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount: '5' });
    expect(await handle.result()).toBe('broker_funded');
    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });

    const retry = await api.request('POST', `/v1/admin/deposits/${deposit.id}/retry`, operator);
    expect(retry.status).toBe(409);
    expect(retry.body).toMatchObject({ title: 'Not waiting for an operator' });
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '5.00', pendingBrokerDepositsUsd: '0.00' });
  });

  it('a second retry once the first was taken is 409, and the deposit is credited once', async () => {
    const { user, deposit, handle } = await parkedDeposit(stack, '3');
    expect((await api.request('POST', `/v1/admin/deposits/${deposit.id}/retry`, operator)).status).toBe(202);
    await eventually(async () => ((await handle.query(progressQuery)).parked ? undefined : true));
    const again = await api.request('POST', `/v1/admin/deposits/${deposit.id}/retry`, operator);
    expect(again.status).toBe(409);
    expect(await handle.result()).toBe('broker_funded');
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '3.00', pendingBrokerDepositsUsd: '0.00' });
    expect(await stack.sandbox.control.duplicatedEffects()).toEqual([]);
  });

  it('retry of unknown or malformed ids is 404; withdrawals and orders are looked up the same way', async () => {
    const unknown = '6f1c1d2e-0000-4000-8000-000000000000';
    for (const resource of ['deposits', 'withdrawals', 'orders']) {
      expect((await api.request('POST', `/v1/admin/${resource}/${unknown}/retry`, operator)).status).toBe(404);
      expect((await api.request('POST', `/v1/admin/${resource}/not-a-uuid/abort`, operator)).status).toBe(404);
    }
  });

  it('users who are not operators get 403 on every admin route', async () => {
    const { deposit } = await parkedDeposit(stack, '2');
    const user = { as: 'user|admin-test' };
    expect((await api.request('GET', '/v1/admin/workflows?kind=deposit', user)).status).toBe(403);
    expect((await api.request('POST', `/v1/admin/deposits/${deposit.id}/retry`, user)).status).toBe(403);
    expect((await api.request('POST', `/v1/admin/deposits/${deposit.id}/abort`, user)).status).toBe(403);
    expect((await api.request('GET', '/v1/admin/workflows')).status).toBe(401);
    // Still parked: nothing reached the saga.
    const run = stack.client.workflow.getHandle(workflowIds.deposit(deposit.chain, deposit.txHash));
    expect((await run.query(progressQuery)).parked).toBeDefined();
  });

  it('the list rejects values that are not the schema’s with 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['kind=refund', 'query.kind'],
      ['status=settled', 'query.status'],
      ['kind=deposit&status=filled', 'query.status'],
      ['needsOperator=yes', 'query.needsOperator'],
      ['userId=x%22%20OR%20true', 'query.userId'],
      ['limit=0', 'query.limit'],
      ['pageToken=bm9wZQ', 'query.pageToken'],
    ];
    for (const [query, path] of cases) {
      const reply = await api.request('GET', `/v1/admin/workflows?${query}`, operator);
      expect(reply.status, query).toBe(400);
      expect(
        reply.body.errors.map((e: { path: string }) => e.path),
        query,
      ).toContain(path);
    }
  });

  it('pages through a user’s runs with nextPageToken without repeating one', async () => {
    const user = await createUser(stack.db);
    const wallet = await provisionWallet(stack, user.id);
    for (const amount of ['1', '2']) {
      const { handle } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount });
      await handle.result();
    }
    // The wallet saga and the two deposits.
    await listed(`userId=${user.id}`, (items) => items.length === 3);
    const first = await api.request('GET', `/v1/admin/workflows?userId=${user.id}&limit=2`, operator);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextPageToken).toEqual(expect.any(String));
    const second = await api.request(
      'GET',
      `/v1/admin/workflows?userId=${user.id}&limit=2&pageToken=${first.body.nextPageToken}`,
      operator,
    );
    expect(second.body).toMatchObject({ nextPageToken: null });
    const ids = [...first.body.items, ...second.body.items].map((run: { workflowId: string }) => run.workflowId);
    expect(new Set(ids).size).toBe(3);
    expect(ids).toContain(`wallet-${user.id}-ethereum`);
  });
});
