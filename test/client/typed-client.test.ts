import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFundflowClient, type FundflowClient } from '../../client/index.js';
import { startApi, type Api } from '../api/harness.js';
import { eventually } from '../helpers/eventually.js';
import { balancesOf, createInvestor, startStack, type Stack } from '../helpers/stack.js';

// The app backend's side, through the package it would install (client/): openapi-fetch over the types generated
// from /openapi.json, against the whole stack. A path, body or answer the API no longer has fails to compile here.

let stack: Stack;
let api: Api;
beforeAll(async () => {
  stack = await startStack({ name: 'typed-client' });
  api = await startApi({ stack });
  await stack.sandbox.control.setFills({ partialFillRatio: 1, rejectSymbols: [], fillDelayMs: 20 });
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});

const address = '0x52908400098527886E0F7030069857D2E4169EE7';

/** A KYC-approved investor with buying power and passcode 424242, and the client their app backend would hold. */
async function investorClient(buyingPowerUsd: string): Promise<{ userId: string; client: FundflowClient }> {
  const user = await createInvestor(stack, buyingPowerUsd);
  const client = createFundflowClient(`${api.url}/`, () => api.token(user.authProviderId));
  const { response } = await client.PUT('/v1/me/passcode', { body: { passcode: '424242' } });
  expect(response.status).toBe(204);
  return { userId: user.id, client };
}

describe('the typed client', () => {
  it('withdraws: the withdrawal is accepted once per Idempotency-Key, reserves the amount and completes on chain', async () => {
    const { userId, client } = await investorClient('100.00');
    const key = randomUUID();
    const withdraw = () =>
      client.POST('/v1/withdrawals', {
        body: { amountUsd: '40.00', targetChain: 'ethereum', targetAddress: address, passcode: '424242' },
        headers: { 'Idempotency-Key': key },
      });
    const first = await withdraw();
    expect(first.response.status).toBe(202);
    expect(first.data).toMatchObject({ amountUsd: '40.00', targetChain: 'ethereum', targetAddress: address });
    const again = await withdraw();
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(again.data?.id).toBe(first.data!.id);

    const balances = await client.GET('/v1/balances');
    expect(balances.data?.buyingPowerUsd).toBe('60.00');

    const done = await eventually(
      async () => {
        const { data } = await client.GET('/v1/withdrawals/{id}', { params: { path: { id: first.data!.id } } });
        return data?.status === 'complete' || data?.status === 'failed' ? data : undefined;
      },
      undefined,
      60_000,
    );
    expect(done).toMatchObject({ status: 'complete', txHash: expect.any(String) });
    expect(await stack.db.withdrawal.count({ where: { userId } })).toBe(1);
    expect((await balancesOf(stack.db, userId))?.buyingPowerUsd).toBe('60.00');
    const listed = await client.GET('/v1/withdrawals', { params: { query: { limit: 10 } } });
    expect(listed.data?.items.map((w) => w.id)).toEqual([first.data!.id]);
  });

  it('buys a stock: the order fills and the position shows it', async () => {
    const { client } = await investorClient('100.00');
    const symbol = 'TYPED';
    const accepted = await client.POST('/v1/orders', { body: { assetType: 'stock', side: 'buy', amountUsd: '25.00', symbol } });
    expect(accepted.response.status).toBe(202);
    const filled = await eventually(async () => {
      const { data } = await client.GET('/v1/orders/{id}', { params: { path: { id: accepted.data!.id } } });
      return data?.status === 'filled' ? data : undefined;
    });
    expect(filled.symbol).toBe(symbol);
    const positions = await client.GET('/v1/positions');
    expect(positions.data?.items.find((p) => p.symbol === symbol)).toMatchObject({ assetType: 'stock' });
    expect((await client.GET('/v1/balances')).data?.buyingPowerUsd).toBe('75.00');
  });

  it('hands problems back as typed errors: 422 for money the caller lacks, 404 for another user’s withdrawal', async () => {
    const { userId, client } = await investorClient('10.00');
    const refused = await client.POST('/v1/withdrawals', {
      body: { amountUsd: '10.01', targetChain: 'ethereum', targetAddress: address, passcode: '424242' },
    });
    expect(refused.data).toBeUndefined();
    expect(refused.error).toMatchObject({ status: 422, title: expect.any(String), detail: expect.any(String) });
    expect(await stack.db.withdrawal.count({ where: { userId } })).toBe(0);

    const owner = await investorClient('20.00');
    const theirs = await owner.client.POST('/v1/withdrawals', {
      body: { amountUsd: '5.00', targetChain: 'ethereum', targetAddress: address, passcode: '424242' },
    });
    const peek = await client.GET('/v1/withdrawals/{id}', { params: { path: { id: theirs.data!.id } } });
    expect(peek.error?.status).toBe(404);

    const anonymous = createFundflowClient(api.url, 'not-a-token');
    expect((await anonymous.GET('/v1/me')).error?.status).toBe(401);
  });
});
