import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '../../client/schema.js';
import { startApi, type Api } from '../api/harness.js';
import { createInvestor, createUser, startStack, type Stack } from '../helpers/stack.js';
import { baskets, seedBasketsOnce, startOrder } from '../orders/support.js';
import { depositUsdc, parkedDeposit, provisionWallet } from '../workflows/support.js';

// One timeline per movement, over the real stack: a deposit and a withdrawal run through their sagas, and the
// operator's timeline shows every status change, the ledger, the provider references and the operators' actions
// in time order, with the link to the run in the Temporal UI — as JSON for tools and as a page for a browser.

let stack: Stack;
let api: Api;
beforeAll(async () => {
  stack = await startStack({ name: 'timeline' });
  api = await startApi({ stack });
  await stack.sandbox.control.setWebhookUrl(`${api.url}/v1/webhooks/circle`);
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});

const operator = { as: 'operator|timeline-test', operator: true };
const depositSteps = ['pending_confirmation', 'confirmed_on_chain', 'off_ramp_initiated', 'off_ramp_complete', 'broker_funded'];

async function fundedDeposit(amount: string) {
  const user = await createUser(stack.db);
  const wallet = await provisionWallet(stack, user.id);
  const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount });
  expect(await handle.result()).toBe('broker_funded');
  return stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
}

const inTimeOrder = (entries: { at: string }[]) => entries.every((e, i) => i === 0 || entries[i - 1]!.at <= e.at);
type Entry = components['schemas']['TimelineEntry'];
/** The entries of one type, typed by the generated client's schema. */
const ofType = <T extends Entry['type']>(entries: Entry[], type: T) =>
  entries.filter((e): e is Extract<Entry, { type: T }> => e.type === type);

describe('GET /v1/admin/{resource}/{id}/timeline', () => {
  it('a funded deposit: every status with its time, the ledger, provider references, operator actions, the run', async () => {
    const deposit = await fundedDeposit('25.129999');
    // An operator action on it: a retry of a deposit that is not parked is refused, and recorded.
    const retry = await api.request('POST', `/v1/admin/deposits/${deposit.id}/retry`, {
      ...operator,
      body: { note: 'checking <b>it</b>' },
    });
    expect(retry.status).toBe(409);

    const reply = await api.request('GET', `/v1/admin/deposits/${deposit.id}/timeline`, operator);
    expect(reply.status).toBe(200);
    const timeline = reply.body;
    const { runId } = await stack.client.workflow.getHandle(`deposit-ethereum-${deposit.txHash}`).describe();
    expect(timeline.movement).toEqual({
      kind: 'deposit',
      id: deposit.id,
      userId: deposit.userId,
      status: 'broker_funded',
      failureReason: null,
      createdAt: deposit.createdAt.toISOString(),
    });
    expect(timeline.temporal).toEqual({
      workflowId: `deposit-ethereum-${deposit.txHash}`,
      runId,
      executionStatus: 'COMPLETED',
      temporalUiUrl: `${stack.config.TEMPORAL_UI_URL}/namespaces/default/workflows/deposit-ethereum-${deposit.txHash}/${runId}/history`,
    });
    expect(inTimeOrder(timeline.entries)).toBe(true);

    const statuses = ofType(timeline.entries, 'status_change');
    expect(statuses.map((s) => s.status)).toEqual(depositSteps);
    expect(statuses.map((s) => s.sequence)).toEqual([1, 2, 3, 4, 5]);
    const events = await stack.db.event.findMany({ where: { resourceId: deposit.id }, orderBy: { sequence: 'asc' } });
    expect(statuses.map((s) => [s.eventId, s.at])).toEqual(events.map((e) => [e.id, e.createdAt.toISOString()]));

    // The ledger: every transaction booked under deposit:<id>, each balanced, money as decimal strings.
    const ledger = ofType(timeline.entries, 'ledger_transaction');
    const booked = await stack.db.ledgerTransaction.findMany({ where: { reference: `deposit:${deposit.id}` } });
    expect(ledger.map((t) => t.kind).sort()).toEqual(booked.map((t) => t.kind).sort());
    expect(ledger.length).toBeGreaterThanOrEqual(2);
    for (const t of ledger) {
      expect(t.reference).toBe(`deposit:${deposit.id}`);
      expect(t.postings.length).toBeGreaterThanOrEqual(2);
      for (const p of t.postings) expect(p.amount).toMatch(/^-?\d+(\.\d+)?$/);
    }
    expect(ledger.flatMap((t) => t.postings).some((p) => p.amount === '25.12' || p.amount === '-25.12')).toBe(true);

    // Provider references: the transaction hash and Circle's inbound transfer from our rows, the payout, the sweep
    // and the funding journal from the provider call log.
    const references = timeline.providerReferences as { provider: string; kind: string; reference: string; sources: string[] }[];
    expect(references).toContainEqual({ provider: 'chain', kind: 'tx_hash', reference: deposit.txHash, sources: ['row'] });
    const inbound = await stack.db.inboundTransfer.findFirstOrThrow({ where: { depositId: deposit.id } });
    expect(references).toContainEqual({
      provider: 'circle-wallets',
      kind: 'inbound_transfer',
      reference: inbound.circleTransferId,
      sources: ['inbound_transfers'],
    });
    const movements = await stack.db.providerMovement.findMany({
      where: { idempotencyKey: { startsWith: `deposit-ethereum-${deposit.txHash}:` } },
    });
    expect(movements.map((m) => m.kind)).toEqual(expect.arrayContaining(['off_ramp', 'broker_fund']));
    for (const m of movements) {
      expect(references).toContainEqual(expect.objectContaining({ provider: m.provider, kind: m.kind, reference: m.providerId }));
    }
    expect(
      ofType(timeline.entries, 'provider_call')
        .map((c) => c.providerId)
        .sort(),
    ).toEqual(movements.map((m) => m.providerId).sort());

    expect(ofType(timeline.entries, 'operator_action')).toEqual([
      expect.objectContaining({
        operatorSubject: 'operator|timeline-test',
        action: 'retry',
        outcome: 'refused',
        details: { note: 'checking <b>it</b>' },
      }),
    ]);
    expect(timeline.entries.at(-1)).toMatchObject({ type: 'operator_action' });
  });

  it('a completed withdrawal: its journal, on-ramp, transfer and transaction hash from the row and the call log', async () => {
    const user = await createInvestor(stack, '100.00');
    await api.request('PUT', '/v1/me/passcode', { as: user.authProviderId, body: { passcode: '424242' } });
    const created = await api.request('POST', '/v1/withdrawals', {
      as: user.authProviderId,
      body: {
        amountUsd: '30.00',
        targetChain: 'ethereum',
        targetAddress: '0x52908400098527886E0F7030069857D2E4169EE7',
        passcode: '424242',
      },
    });
    expect(created.status).toBe(202);
    const handle = stack.client.workflow.getHandle(`withdrawal-${created.body.id}`);
    expect(await handle.result()).toBe('complete');
    const row = await stack.db.withdrawal.findUniqueOrThrow({ where: { id: created.body.id } });

    const reply = await api.request('GET', `/v1/admin/withdrawals/${row.id}/timeline`, operator);
    expect(reply.status).toBe(200);
    const timeline = reply.body;
    expect(timeline.movement).toMatchObject({ kind: 'withdrawal', id: row.id, status: 'complete' });
    expect(timeline.temporal).toMatchObject({ workflowId: `withdrawal-${row.id}`, executionStatus: 'COMPLETED' });
    const events = await stack.db.event.findMany({ where: { resourceId: row.id }, orderBy: { sequence: 'asc' } });
    expect(ofType(timeline.entries, 'status_change').map((s) => s.eventType)).toEqual(events.map((e) => e.type));
    expect(events.at(-1)!.type).toBe('withdrawal.complete');
    expect(inTimeOrder(timeline.entries)).toBe(true);

    const references = timeline.providerReferences as { provider: string; kind: string; reference: string; sources: string[] }[];
    const byReference = (reference: string | null) => references.find((r) => r.reference === reference);
    expect(byReference(row.brokerWithdrawalRef)).toMatchObject({
      provider: 'alpaca',
      kind: 'broker_withdraw',
      sources: ['row', 'provider_movements'],
    });
    expect(byReference(row.circleOnRampRef)).toMatchObject({
      provider: 'circle-mint',
      kind: 'on_ramp',
      sources: ['row', 'provider_movements'],
    });
    expect(byReference(row.circleTransferRef)).toMatchObject({
      provider: 'circle-wallets',
      kind: 'chain_transfer',
      sources: ['row', 'provider_movements'],
    });
    expect(byReference(row.txHash)).toMatchObject({ provider: 'chain', kind: 'tx_hash', sources: ['row'] });
    const ledger = ofType(timeline.entries, 'ledger_transaction');
    expect(ledger.length).toBeGreaterThanOrEqual(1);
    expect(ledger.flatMap((t) => t.postings).map((p) => p.amount)).toContain('30.00');
  });

  it('a filled basket order: its legs as Alpaca order ids, every fill booked, the run', async () => {
    const user = await createInvestor(stack, '200.00');
    await seedBasketsOnce(stack);
    const { orderId, result, handle } = await startOrder(stack, {
      userId: user.id,
      assetType: 'basket',
      side: 'buy',
      amountUsd: '100.00',
      basketId: baskets.balanced.id,
    });
    expect(result).toMatchObject({ accepted: true });
    expect(await handle.result()).toMatchObject({ status: 'filled' });

    const reply = await api.request('GET', `/v1/admin/orders/${orderId}/timeline`, operator);
    expect(reply.status).toBe(200);
    const timeline = reply.body;
    expect(timeline.movement).toMatchObject({ kind: 'order', id: orderId, status: 'filled' });
    expect(timeline.temporal).toMatchObject({ workflowId: `order-${orderId}`, executionStatus: 'COMPLETED' });
    expect(inTimeOrder(timeline.entries)).toBe(true);
    const events = await stack.db.event.findMany({ where: { resourceId: orderId }, orderBy: { sequence: 'asc' } });
    expect(ofType(timeline.entries, 'status_change').map((s) => s.eventType)).toEqual(events.map((e) => e.type));

    const legs = await stack.db.orderLeg.findMany({ where: { orderId } });
    expect(legs.length).toBeGreaterThan(1);
    const references = (timeline.providerReferences as { provider: string; kind: string; reference: string }[]).filter(
      (r) => r.kind === 'order',
    );
    expect(references.map((r) => r.reference).sort()).toEqual(legs.map((l) => l.alpacaOrderRef).sort());
    const booked = await stack.db.ledgerTransaction.findMany({ where: { reference: `order:${orderId}` } });
    expect(
      ofType(timeline.entries, 'ledger_transaction')
        .map((t) => t.kind)
        .sort(),
    ).toEqual(booked.map((t) => t.kind).sort());
    expect(booked.filter((t) => t.kind.startsWith('fill:')).length).toBeGreaterThanOrEqual(legs.length);
  });

  it('an unknown or malformed id is a 404 problem; a customer gets 403 and no token 401', async () => {
    for (const resource of ['deposits', 'withdrawals', 'orders']) {
      const unknown = await api.request('GET', `/v1/admin/${resource}/6f1c1d2e-0000-4000-8000-000000000000/timeline`, operator);
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect((await api.request('GET', `/v1/admin/${resource}/not-a-uuid/timeline`, operator)).status).toBe(404);
    }
    const { deposit } = await parkedDeposit(stack, '2');
    expect((await api.request('GET', `/v1/admin/deposits/${deposit.id}/timeline`, { as: 'user|timeline-test' })).status).toBe(403);
    expect((await api.request('GET', `/v1/admin/deposits/${deposit.id}/timeline`)).status).toBe(401);
    // A parked run: still running, linked to its run.
    const parked = await api.request('GET', `/v1/admin/deposits/${deposit.id}/timeline`, operator);
    expect(parked.body.temporal).toMatchObject({ executionStatus: 'RUNNING', runId: expect.any(String) });
    await stack.sandbox.control.clearFaults();
    expect((await api.request('POST', `/v1/admin/deposits/${deposit.id}/abort`, { ...operator, body: {} })).status).toBe(202);
  });
});

describe('the timeline page for a browser', () => {
  async function signIn(token: string, next: string) {
    const response = await fetch(`${api.url}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, next }).toString(),
      redirect: 'manual',
    });
    return response;
  }

  it('asks for a sign-in, keeps the operator token in a strict HttpOnly cookie, renders escaped, runs no script', async () => {
    const deposit = await fundedDeposit('4');
    await stack.db.$executeRaw`UPDATE deposits SET failure_reason = ${'<script>alert(1)</script>'} WHERE id = ${deposit.id}::uuid`;
    const page = `/admin/deposits/${deposit.id}/timeline`;

    const anonymous = await fetch(api.url + page, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe(`/admin/login?next=${encodeURIComponent(page)}`);
    const login = await fetch(api.url + anonymous.headers.get('location'));
    expect(login.status).toBe(200);
    expect(await login.text()).toContain(`<input type="hidden" name="next" value="${page}">`);
    const expired = await fetch(api.url + page, { redirect: 'manual', headers: { cookie: 'fundflow_operator=not.a.token' } });
    expect(expired.status).toBe(303);

    const signedIn = await signIn(await api.token('operator|page-test', { operator: true }), page);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe(page);
    const cookie = signedIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^fundflow_operator=[^;]+; Max-Age=\d+; Path=\/admin; Expires=[^;]+; HttpOnly; SameSite=Strict$/);

    const response = await fetch(api.url + page, { headers: { cookie: cookie.split(';')[0]! } });
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    for (const status of depositSteps) expect(html).toContain(status);
    expect(html).toContain(deposit.txHash);
    expect(html).toContain(`href="${stack.config.TEMPORAL_UI_URL}/namespaces/default/workflows/deposit-ethereum-${deposit.txHash}/`);

    // A customer's token signs nobody in; a next that leaves these pages is not followed.
    const customer = await signIn(await api.token('user|page-test'), page);
    expect(customer.status).toBe(403);
    expect(customer.headers.get('set-cookie')).toBeNull();
    const elsewhere = await signIn(await api.token('operator|page-test', { operator: true }), '//evil.example/x');
    expect(elsewhere.headers.get('location')).toBe('/admin/login');
    const missing = await fetch(`${api.url}/admin/deposits/6f1c1d2e-0000-4000-8000-000000000000/timeline`, {
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(missing.status).toBe(404);
  });
});
