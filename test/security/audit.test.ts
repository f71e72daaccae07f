import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { workflowIds } from '../../workflows/definitions.js';
import { registerUser, startApi, uniqueSubject, type Api } from '../api/harness.js';
import { createInvestor, createUser, startStack, type Stack } from '../helpers/stack.js';
import { parkedDeposit, parkedProgress } from '../workflows/support.js';

// Every operator action (KYC decision, retry, abort, summary run) leaves exactly one row in the append-only
// operator_audit_log: who (the token's subject), what, on which target, and whether it was accepted or refused
// and why. The database refuses to change or remove a row, so not even our own code can rewrite the record.

let stack: Stack;
let api: Api;
let sql: pg.Client;
beforeAll(async () => {
  stack = await startStack({ name: 'audit' });
  api = await startApi({ stack });
  sql = new pg.Client({ connectionString: stack.config.DATABASE_URL });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await api?.close();
  await stack?.stop();
});
beforeEach(async () => stack.sandbox.control.clearFaults());

/** A fresh operator per test: its subject finds exactly the rows that test's actions wrote. */
function newOperator() {
  const subject = `operator|audit-${randomUUID()}`;
  return { subject, as: { as: subject, operator: true } };
}

async function auditRowsOf(subject: string) {
  const { rows } = await sql.query(
    `SELECT operator_subject, action, target_kind, target_id, outcome, reason, details, created_at
       FROM operator_audit_log WHERE operator_subject = $1 ORDER BY created_at, id`,
    [subject],
  );
  return rows;
}

describe('operator audit log', () => {
  it('a KYC decision leaves one accepted row, and the signal in Temporal’s history names the operator', async () => {
    const { subject, as } = newOperator();
    const userSubject = uniqueSubject('audited-kyc');
    const userId = await registerUser(api, userSubject);
    expect((await api.request('POST', '/v1/me/kyc', { as: userSubject })).status).toBe(202);

    const decided = await api.request('POST', `/v1/admin/users/${userId}/kyc-decision`, {
      ...as,
      body: { decision: 'rejected', reason: 'document expired' },
    });
    expect(decided.status).toBe(202);
    expect(await auditRowsOf(subject)).toEqual([
      expect.objectContaining({
        operator_subject: subject,
        action: 'kyc_decision',
        target_kind: 'user',
        target_id: userId,
        outcome: 'accepted',
        reason: null,
        details: { decision: 'rejected', reason: 'document expired' },
        created_at: expect.any(Date),
      }),
    ]);

    const history = await stack.client.workflow.getHandle(workflowIds.kyc(userId)).fetchHistory();
    const signal = history.events?.find((e) => e.workflowExecutionSignaledEventAttributes)?.workflowExecutionSignaledEventAttributes;
    const payload = JSON.parse(Buffer.from(signal!.input!.payloads![0]!.data!).toString());
    expect(payload).toEqual({ decision: 'rejected', reason: 'document expired', operator: subject });
  });

  it('a KYC decision for a user with nothing pending is audited as refused with the reason', async () => {
    const { subject, as } = newOperator();
    const user = await createUser(stack.db); // approved already
    const reply = await api.request('POST', `/v1/admin/users/${user.id}/kyc-decision`, { ...as, body: { decision: 'approved' } });
    expect(reply.status).toBe(404);
    expect(await auditRowsOf(subject)).toEqual([
      expect.objectContaining({
        action: 'kyc_decision',
        target_kind: 'user',
        target_id: user.id,
        outcome: 'refused',
        reason: 'This user has no KYC submission waiting for a decision',
      }),
    ]);
  });

  it('an abort the saga takes is one accepted row with the operator’s note', async () => {
    const { subject, as } = newOperator();
    const { deposit } = await parkedDeposit(stack, '4');
    const abort = await api.request('POST', `/v1/admin/deposits/${deposit.id}/abort`, { ...as, body: { note: 'account closed' } });
    expect(abort.status).toBe(202);
    expect(await auditRowsOf(subject)).toEqual([
      expect.objectContaining({
        action: 'abort',
        target_kind: 'deposit',
        target_id: deposit.id,
        outcome: 'accepted',
        reason: null,
        details: { note: 'account closed' },
      }),
    ]);
  });

  it('an abort the saga refuses (409) is audited as refused with its reason; the retry after it as accepted', async () => {
    const { subject, as } = newOperator();
    // Reading the journal is refused once: the withdrawal parks while its journal executes at the broker.
    await stack.sandbox.control.fault({ provider: 'alpaca-broker', operation: 'getJournal', kind: 'reject' });
    const user = await createInvestor(stack, '30.00');
    await api.request('PUT', '/v1/me/passcode', { as: user.authProviderId, body: { passcode: '424242' } });
    const withdrawal = await api.request('POST', '/v1/withdrawals', {
      as: user.authProviderId,
      headers: { 'idempotency-key': randomUUID() },
      body: {
        amountUsd: '30.00',
        targetChain: 'ethereum',
        targetAddress: '0x52908400098527886E0F7030069857D2E4169EE7',
        passcode: '424242',
      },
    });
    expect(withdrawal.status).toBe(202);
    const withdrawalId = withdrawal.body.id as string;
    const handle = stack.client.workflow.getHandle(workflowIds.withdrawal(withdrawalId));
    await parkedProgress(handle);

    const abort = await api.request('POST', `/v1/admin/withdrawals/${withdrawalId}/abort`, as);
    expect(abort.status).toBe(409);
    const retry = await api.request('POST', `/v1/admin/withdrawals/${withdrawalId}/retry`, as);
    expect(retry.status).toBe(202);
    expect(await handle.result()).toBe('complete');

    expect(await auditRowsOf(subject)).toEqual([
      expect.objectContaining({
        action: 'abort',
        target_kind: 'withdrawal',
        target_id: withdrawalId,
        outcome: 'refused',
        reason: abort.body.detail,
      }),
      expect.objectContaining({ action: 'retry', target_kind: 'withdrawal', target_id: withdrawalId, outcome: 'accepted', reason: null }),
    ]);
    expect(abort.body.detail).toMatch(/waitBrokerWithdrawal/);
  });

  it('a retry of an unknown id is audited as refused (404), under the id the operator sent', async () => {
    const { subject, as } = newOperator();
    const unknown = randomUUID();
    expect((await api.request('POST', `/v1/admin/orders/${unknown}/retry`, as)).status).toBe(404);
    expect(await auditRowsOf(subject)).toEqual([
      expect.objectContaining({ action: 'retry', target_kind: 'order', target_id: unknown, outcome: 'refused', reason: 'Order not found' }),
    ]);
  });

  it('a summary run is audited with its week: accepted for a past week, refused for one not over', async () => {
    const { subject, as } = newOperator();
    const past = await api.request('POST', '/v1/admin/summaries/run', { ...as, body: { weekStartDate: '2020-01-06' } });
    expect(past.status).toBe(202);
    const current = await api.request('POST', '/v1/admin/summaries/run', { ...as, body: { weekStartDate: '2099-11-16' } });
    expect(current.status).toBe(422);
    expect(await auditRowsOf(subject)).toEqual([
      expect.objectContaining({ action: 'summary_run', target_kind: 'summary_week', target_id: '2020-01-06', outcome: 'accepted' }),
      expect.objectContaining({
        action: 'summary_run',
        target_kind: 'summary_week',
        target_id: '2099-11-16',
        outcome: 'refused',
        reason: 'The week of 2099-11-16 has not ended yet',
      }),
    ]);
    await stack.client.workflow.getHandle(past.body.workflowId).result();
  });

  it('the database refuses to UPDATE, DELETE or TRUNCATE audit rows', async () => {
    const { subject, as } = newOperator();
    await api.request('POST', `/v1/admin/deposits/${randomUUID()}/retry`, as);
    expect(await auditRowsOf(subject)).toHaveLength(1);

    await expect(sql.query(`UPDATE operator_audit_log SET outcome = 'accepted' WHERE operator_subject = $1`, [subject])).rejects.toThrow(
      /append-only/,
    );
    await expect(sql.query(`DELETE FROM operator_audit_log WHERE operator_subject = $1`, [subject])).rejects.toThrow(/append-only/);
    await expect(sql.query('TRUNCATE operator_audit_log')).rejects.toThrow(/append-only/);
    expect(await auditRowsOf(subject)).toEqual([expect.objectContaining({ outcome: 'refused' })]);
  });
});

describe('GET /v1/admin/audit', () => {
  it('lists the entries newest first, paging with nextCursor without repeating one', async () => {
    const { subject, as } = newOperator();
    const targets = [randomUUID(), randomUUID(), randomUUID()];
    for (const target of targets) await api.request('POST', `/v1/admin/withdrawals/${target}/abort`, as);

    // Other tests write entries concurrently: walk the pages until this operator's three are seen.
    const mine: any[] = [];
    let cursor: string | null = null;
    const seenIds = new Set<string>();
    do {
      const page: any = await api.request('GET', `/v1/admin/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`, as);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const item of page.body.items) {
        expect(seenIds.has(item.id)).toBe(false);
        seenIds.add(item.id);
        if (item.operatorSubject === subject) mine.push(item);
      }
      cursor = page.body.nextCursor;
    } while (cursor && mine.length < 3);

    expect(mine.map((e) => e.targetId)).toEqual([...targets].reverse());
    expect(mine[0]).toEqual({
      id: expect.any(String),
      operatorSubject: subject,
      action: 'abort',
      targetKind: 'withdrawal',
      targetId: targets[2],
      outcome: 'refused',
      reason: 'Withdrawal not found',
      details: {},
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('is for operators only: 403 with a user token, 401 without one', async () => {
    const userSubject = uniqueSubject('audit-reader');
    await registerUser(api, userSubject);
    expect((await api.request('GET', '/v1/admin/audit', { as: userSubject })).status).toBe(403);
    expect((await api.request('GET', '/v1/admin/audit')).status).toBe(401);
  });

  it('refuses a cursor it did not return with 400 naming the field', async () => {
    const { as } = newOperator();
    const reply = await api.request('GET', '/v1/admin/audit?cursor=nope', as);
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([{ path: 'query.cursor', message: 'unknown cursor' }]);
  });

  it('is in the OpenAPI document with its entry schema', async () => {
    const doc = (await api.request('GET', '/openapi.json')).body;
    expect(doc.paths['/v1/admin/audit']?.get).toBeDefined();
    expect(doc.components.schemas.OperatorAuditEntry).toBeDefined();
  });
});
