import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { workflowIds } from '../../workflows/definitions.js';
import { eventually } from '../helpers/eventually.js';
import { balancesOf, createUser, startStack, type Stack } from '../helpers/stack.js';
import { provisionWallet } from '../workflows/support.js';
import { startApi, type Api } from './harness.js';

// The deposit path played by an adversary, through the routes a user (the app, Circle's webhook, an operator)
// would take: only Circle's own account of what arrived is ever credited, to the wallet's owner, exactly once,
// and whatever cannot be credited is recorded for an operator instead of dropped.

let stack: Stack;
let api: Api;
beforeAll(async () => {
  stack = await startStack({ name: 'deposit-attacks' });
  api = await startApi({ stack });
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});
beforeEach(async () => {
  await stack.sandbox.control.clearFaults();
  await stack.sandbox.control.settings({ stepDelayMs: 20 });
  await stack.sandbox.control.setWebhookUrl(`${api.url}/v1/webhooks/circle`);
});

const operator = { as: 'operator|deposit-attacks', operator: true };

/** A KYC-approved user with an active ethereum wallet, acting through the API. */
async function depositor() {
  const user = await createUser(stack.db);
  const wallet = await provisionWallet(stack, user.id);
  return { id: user.id, as: user.authProviderId, wallet };
}

/** The deposit run of a transaction, once it has closed (its result: the row's status, or undefined if refused). */
async function settledRun(txHash: string) {
  const handle = stack.client.workflow.getHandle(workflowIds.deposit('ethereum', txHash));
  await eventually(
    () => handle.describe().catch(() => undefined),
    (run) => run.status.name !== 'RUNNING',
  );
  return handle.result();
}

/** Every notification Circle sent for these transfers was answered (the last one is COMPLETE). */
async function notificationsAnswered(transferIds: string[]) {
  await eventually(
    () => stack.sandbox.control.webhooks(),
    (all) => transferIds.every((id) => all.some((d) => d.transactionId === id && d.state === 'COMPLETE' && d.lastStatus !== undefined)),
  );
}

const counterfeitUsdc = '0x000000000000000000000000000000000000dEaD';

describe('only real USDC is credited', () => {
  it.each([
    ['a token that calls itself USDC from another contract', { token: 'USDC', tokenAddress: counterfeitUsdc }],
    ["the chain's native coin", { token: 'ETH' }],
    ['another token', { token: 'EURC' }],
  ])('%s sent to a deposit address is recorded as ignored, shown to operators and never credited', async (_what, token) => {
    const user = await depositor();
    const tx = await stack.sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: user.wallet.address, amount: '500', ...token });
    const txHash = tx.txHash.toLowerCase();
    await notificationsAnswered([tx.id]);
    expect(await settledRun(txHash)).not.toBe('broker_funded');

    expect(await stack.db.deposit.count({ where: { txHash } })).toBe(0);
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '0.00' });
    const recorded = await stack.db.inboundTransfer.findUniqueOrThrow({ where: { circleTransferId: tx.id } });
    expect(recorded).toMatchObject({ disposition: 'ignored', userId: user.id, walletId: user.wallet.id, txHash, depositId: null });
    expect(recorded.amount.toFixed()).toBe('500');
    expect(recorded.reason).toMatch(/not USDC/);

    const reported = await api.request('POST', '/v1/deposits', { as: user.as, body: { chain: 'ethereum', txHash } });
    expect(reported.status).toBe(404);
    expect(await stack.db.deposit.count({ where: { txHash } })).toBe(0);

    const listed = await api.request('GET', '/v1/admin/inbound-transfers?disposition=ignored&limit=100', operator);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({ circleTransferId: tx.id, disposition: 'ignored', userId: user.id, amount: '500', txHash }),
    );
    expect((await api.request('GET', '/v1/admin/inbound-transfers', { as: user.as })).status).toBe(403);
  });
});

describe('a saga never trusts money facts in its input', () => {
  it('a deposit run started with a forged transfer in its input credits only what Circle says arrived', async () => {
    const user = await depositor();
    const tx = await stack.sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: user.wallet.address, amount: '1' });
    const txHash = tx.txHash.toLowerCase();
    // Someone with access to Temporal starts the run first, with the transfer as they would like it to be.
    const forged = {
      chain: 'ethereum',
      txHash,
      userId: user.id,
      transfer: {
        id: tx.id,
        state: 'complete',
        providerState: 'COMPLETE',
        direction: 'inbound',
        chain: 'ethereum',
        walletId: tx.walletId,
        amountUsdc: '1000000',
        amount: '1000000',
        txHash,
        destinationAddress: tx.destinationAddress,
      },
    };
    const { handle } = await stack.accept('depositWorkflow', workflowIds.deposit('ethereum', txHash), forged);
    expect(await handle.result()).toBe('broker_funded');
    const deposit = await stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
    expect(deposit.amountStablecoin.toFixed()).toBe('1');
    expect(await balancesOf(stack.db, user.id)).toEqual({ buyingPowerUsd: '1.00', pendingBrokerDepositsUsd: '0.00' });
  });

  it("a user who reports someone else's transaction first gets 404 and cannot capture or delay the owner's deposit", async () => {
    const owner = await depositor();
    const thief = await depositor();
    // Circle's first notification is late, and its lookup is slow: the thief's report starts the run first.
    await stack.sandbox.control.setWebhookUrl(null);
    await stack.sandbox.control.settings({ stepDelayMs: 1_500 });
    await stack.sandbox.control.fault({ provider: 'circle-wallets', operation: 'listTransactions', kind: 'http500', times: 2 });
    const tx = await stack.sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: owner.wallet.address, amount: '42.5' });
    const txHash = tx.txHash.toLowerCase();

    const report = api.request('POST', '/v1/deposits', { as: thief.as, body: { chain: 'ethereum', txHash } });
    await eventually(() =>
      stack.client.workflow
        .getHandle(workflowIds.deposit('ethereum', txHash))
        .describe()
        .catch(() => undefined),
    );
    // Circle's COMPLETE notification for the owner arrives while the thief's run is still looking the hash up.
    await stack.sandbox.control.setWebhookUrl(`${api.url}/v1/webhooks/circle`);
    expect((await report).status).toBe(404);
    await stack.sandbox.control.settings({ stepDelayMs: 20 });

    const funded = await eventually(
      () => stack.db.deposit.findFirst({ where: { txHash } }),
      (d) => d?.status === 'broker_funded',
    );
    expect(funded).toMatchObject({ userId: owner.id, walletId: owner.wallet.id });
    expect(await balancesOf(stack.db, owner.id)).toEqual({ buyingPowerUsd: '42.50', pendingBrokerDepositsUsd: '0.00' });
    expect(await balancesOf(stack.db, thief.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '0.00' });
    expect((await api.request('GET', `/v1/deposits/${funded!.id}`, { as: thief.as })).status).toBe(404);
    expect((await api.request('POST', '/v1/deposits', { as: thief.as, body: { chain: 'ethereum', txHash } })).status).toBe(404);
    expect((await api.request('POST', '/v1/deposits', { as: owner.as, body: { chain: 'ethereum', txHash } })).body.id).toBe(funded!.id);
  });
});

describe('nothing received is dropped, even several transfers in one transaction', () => {
  it('a batch transaction credits one transfer as its deposit, chosen by transfer id, and holds every other USDC transfer for an operator', async () => {
    const x = await depositor();
    const y = await depositor();
    await stack.sandbox.control.setWebhookUrl(null);
    const a = await stack.sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: x.wallet.address, amount: '10' });
    const txHash = a.txHash.toLowerCase();
    const b = await stack.sandbox.control.chainTransfer({
      chain: 'ethereum',
      toAddress: y.wallet.address,
      amount: '5.25',
      txHash: a.txHash,
    });
    const c = await stack.sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: x.wallet.address, amount: '3', txHash: a.txHash });
    const fake = await stack.sandbox.control.chainTransfer({
      chain: 'ethereum',
      toAddress: y.wallet.address,
      amount: '99',
      txHash: a.txHash,
      token: 'USDC',
      tokenAddress: counterfeitUsdc,
    });
    expect([b.txHash, c.txHash, fake.txHash]).toEqual([a.txHash, a.txHash, a.txHash]);

    const usdc = [
      { transfer: a, owner: x, amount: '10' },
      { transfer: b, owner: y, amount: '5.25' },
      { transfer: c, owner: x, amount: '3' },
    ].sort((p, q) => (p.transfer.id < q.transfer.id ? -1 : 1));
    const chosen = usdc[0]!;

    const reported = await api.request('POST', '/v1/deposits', { as: x.as, body: { chain: 'ethereum', txHash } });
    expect(reported.status).toBe(chosen.owner === x ? 202 : 404);
    expect(await settledRun(txHash)).toBe('broker_funded');

    const deposits = await stack.db.deposit.findMany({ where: { txHash } });
    expect(deposits).toHaveLength(1);
    expect(deposits[0]).toMatchObject({ userId: chosen.owner.id, walletId: chosen.owner.wallet.id });
    expect(deposits[0]!.amountStablecoin.toFixed()).toBe(chosen.amount);

    const recorded = await stack.db.inboundTransfer.findMany({ where: { txHash } });
    expect(recorded).toHaveLength(4);
    for (const { transfer, owner, amount } of usdc) {
      const row = recorded.find((r) => r.circleTransferId === transfer.id)!;
      expect(row).toMatchObject({
        userId: owner.id,
        walletId: owner.wallet.id,
        disposition: transfer === chosen.transfer ? 'deposit' : 'held',
        depositId: transfer === chosen.transfer ? deposits[0]!.id : null,
      });
      expect(row.amount.toFixed()).toBe(amount);
    }
    expect(recorded.find((r) => r.circleTransferId === fake.id)).toMatchObject({ disposition: 'ignored', userId: y.id });

    const credited = (who: typeof x) => (chosen.owner === who ? `${Number(chosen.amount).toFixed(2)}` : '0.00');
    expect((await balancesOf(stack.db, x.id))?.buyingPowerUsd).toBe(credited(x));
    expect((await balancesOf(stack.db, y.id))?.buyingPowerUsd).toBe(credited(y));

    const held = await api.request('GET', '/v1/admin/inbound-transfers?disposition=held&limit=100', operator);
    expect(held.body.items.filter((i: { txHash: string }) => i.txHash === txHash)).toHaveLength(2);
  });

  it('a transfer that joins a transaction whose deposit has already ended is still recorded, for its own owner', async () => {
    const x = await depositor();
    const y = await depositor();
    const a = await stack.sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: x.wallet.address, amount: '7' });
    const txHash = a.txHash.toLowerCase();
    await eventually(
      () => stack.db.deposit.findFirst({ where: { txHash } }),
      (d) => d?.status === 'broker_funded',
    );

    const late = await stack.sandbox.control.chainTransfer({
      chain: 'ethereum',
      toAddress: y.wallet.address,
      amount: '2',
      txHash: a.txHash,
    });
    const row = await eventually(
      () => stack.db.inboundTransfer.findUnique({ where: { circleTransferId: late.id } }).then((r) => r ?? undefined),
      undefined,
      15_000,
    );
    expect(row).toMatchObject({ disposition: 'held', userId: y.id, walletId: y.wallet.id, depositId: null, txHash });
    expect(row.amount.toFixed()).toBe('2');
    expect(await stack.db.deposit.count({ where: { txHash } })).toBe(1);
    expect(await balancesOf(stack.db, x.id)).toEqual({ buyingPowerUsd: '7.00', pendingBrokerDepositsUsd: '0.00' });
    expect(await balancesOf(stack.db, y.id)).toEqual({ buyingPowerUsd: '0.00', pendingBrokerDepositsUsd: '0.00' });
  });
});
