import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolOf } from '../../src/db/client.js';
import { eventually } from '../helpers/eventually.js';
import { registerUser, startApi, uniqueSubject, type Api } from './harness.js';

// GET /v1/events: the caller's own events, oldest first, followed by cursor; and the operators' endpoint
// management around webhooks (the delivery itself is test/webhooks/delivery.test.ts).

let api: Api;
const alice = { subject: uniqueSubject('events-alice'), id: '' };
const bob = { subject: uniqueSubject('events-bob'), id: '' };

/** A deposit row of `userId` walked through `steps` statuses, one statement each, as the sagas do. */
async function depositThrough(userId: string, steps: string[]) {
  const wallet = await api.db.wallet.upsert({
    where: { userId_chain: { userId, chain: 'ethereum' } },
    create: { userId, chain: 'ethereum', address: `0x${randomBytes(20).toString('hex')}`, circleWalletId: randomUUID(), status: 'active' },
    update: {},
  });
  const deposit = await api.db.deposit.create({
    data: { userId, walletId: wallet.id, chain: 'ethereum', txHash: `0x${randomBytes(32).toString('hex')}`, amountStablecoin: '10.75' },
  });
  for (const status of steps)
    await api.db.$executeRaw`UPDATE deposits SET status = ${status}::deposit_status WHERE id = ${deposit.id}::uuid`;
  return deposit;
}

/** How long a read waits for the transactions of other test files, which share this database, to end. */
const horizonWaitMs = 20_000;

/**
 * A cursor after every event of `user` so far, once all of them are listed: other test files write in this database
 * too, and their transactions may hold the horizon for a moment.
 */
async function cursorAfterAll(user: { subject: string; id: string }): Promise<string> {
  const newest = await api.db.event.findFirstOrThrow({
    where: { userId: user.id },
    orderBy: [{ xid: 'desc' }, { position: 'desc' }],
    select: { id: true },
  });
  let after: string | undefined;
  return eventually(
    async () => {
      const reply = await api.request('GET', `/v1/events?limit=100${after ? `&after=${after}` : ''}`, { as: user.subject });
      after = reply.body.nextCursor ?? undefined;
      return reply.body.items.some((e: any) => e.id === newest.id) ? after : undefined;
    },
    () => true,
    horizonWaitMs,
  );
}

async function allPages(as: string, limit: number) {
  const pages: any[][] = [];
  let after: string | undefined;
  for (let i = 0; i < 50; i++) {
    const reply = await api.request('GET', `/v1/events?limit=${limit}${after ? `&after=${after}` : ''}`, { as });
    expect(reply.status).toBe(200);
    if (reply.body.items.length === 0) {
      expect(reply.body.nextCursor).toBe(after ?? null);
      return pages;
    }
    pages.push(reply.body.items);
    after = reply.body.nextCursor;
  }
  throw new Error('more pages than expected');
}

beforeAll(async () => {
  api = await startApi();
  alice.id = await registerUser(api, alice.subject);
  bob.id = await registerUser(api, bob.subject);
});
afterAll(() => api?.close());

describe('GET /v1/events', () => {
  it("lists only the caller's events, oldest first, and the cursor walks them all exactly once", async () => {
    const a1 = await depositThrough(alice.id, ['confirmed_on_chain', 'off_ramp_initiated']);
    const b1 = await depositThrough(bob.id, ['confirmed_on_chain', 'failed']);
    const a2 = await depositThrough(alice.id, ['failed']);

    const pages = await allPages(alice.subject, 2);
    const events = pages.flat();
    expect(pages.slice(0, -1).every((p) => p.length === 2)).toBe(true);
    expect(events.every((e) => e.data.userId === alice.id)).toBe(true);
    expect(events.some((e) => e.resourceId === b1.id)).toBe(false);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const ofDeposit = (id: string) => events.filter((e) => e.resourceId === id).map((e) => [e.type, e.sequence]);
    expect(ofDeposit(a1.id)).toEqual([
      ['deposit.pending_confirmation', 1],
      ['deposit.confirmed_on_chain', 2],
      ['deposit.off_ramp_initiated', 3],
    ]);
    expect(ofDeposit(a2.id)).toEqual([
      ['deposit.pending_confirmation', 1],
      ['deposit.failed', 2],
    ]);
    expect(events.find((e) => e.resourceId === a1.id).data).toMatchObject({ amountUsdc: '10.75', amountUsd: '10.75' });
    // Alice's wallet, created active, is an event of hers too.
    expect(events.some((e) => e.type === 'wallet.active')).toBe(true);

    const bobs = (await allPages(bob.subject, 100)).flat();
    expect(bobs.map((e) => e.type).filter((t) => t.startsWith('deposit.'))).toEqual([
      'deposit.pending_confirmation',
      'deposit.confirmed_on_chain',
      'deposit.failed',
    ]);
    expect(bobs.some((e) => e.data.userId !== bob.id)).toBe(false);
  });

  it('a cursor of the last page sees only what happened after it', async () => {
    const before = await allPages(alice.subject, 100);
    const cursor = (await api.request('GET', '/v1/events?limit=100', { as: alice.subject })).body.nextCursor as string;
    expect(before.flat().length).toBeGreaterThan(0);
    await api.db.$executeRaw`UPDATE users SET kyc_status = 'pending' WHERE id = ${alice.id}::uuid`;
    const later = await api.request('GET', `/v1/events?after=${cursor}`, { as: alice.subject });
    expect(later.body.items.map((e: any) => [e.type, e.resourceType, e.resourceId])).toEqual([['kyc.pending', 'kyc', alice.id]]);
  });

  it('an event whose transaction commits after a later one is listed after it, never skipped by a cursor', async () => {
    const deposit = await depositThrough(alice.id, []);
    const start = await cursorAfterAll(alice);
    // The early transaction writes its event, then stays open while a later one writes and commits its own.
    const early = await poolOf(api.db).connect();
    let committed = false;
    try {
      await early.query('BEGIN');
      await early.query(`UPDATE deposits SET status = 'confirmed_on_chain' WHERE id = $1`, [deposit.id]);
      await api.db.$executeRaw`UPDATE users SET kyc_status = 'approved' WHERE id = ${alice.id}::uuid`;
      // Listing the later event now would hand out a cursor past the early one: nothing is listed yet.
      const meanwhile = await api.request('GET', `/v1/events?after=${start}`, { as: alice.subject });
      expect(meanwhile.body.items).toEqual([]);
      expect(meanwhile.body.nextCursor).toBe(start);
      await early.query('COMMIT');
      committed = true;
    } finally {
      // Never back to the pool inside an open transaction: it would hold every later event back.
      if (!committed) await early.query('ROLLBACK');
      early.release();
    }
    // Other test files write in this database too: their transactions may hold the horizon for a moment.
    const listed = await eventually(
      async () => (await api.request('GET', `/v1/events?after=${start}`, { as: alice.subject })).body.items.map((e: any) => e.type),
      (types: string[]) => types.length >= 2,
      horizonWaitMs,
    );
    expect(listed).toEqual(['deposit.confirmed_on_chain', 'kyc.approved']);
  });

  it('a writing transaction held open in another database of the cluster holds no event back', async () => {
    // Another application's (or another test's) database on the same PostgreSQL: its transactions cannot write
    // our events, so they must not stall them (xmin is cluster-wide; the horizon is this database's).
    const url = new URL(api.config.DATABASE_URL);
    url.pathname = '/postgres';
    const start = await cursorAfterAll(alice);
    const elsewhere = new pg.Client({ connectionString: url.toString() });
    await elsewhere.connect();
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      await api.db.$executeRaw`UPDATE users SET kyc_status = 'rejected' WHERE id = ${alice.id}::uuid`;
      // Held open for the whole wait: only a horizon of this database's transactions lets the event through.
      const listed = await eventually(
        async () => (await api.request('GET', `/v1/events?after=${start}`, { as: alice.subject })).body.items.map((e: any) => e.type),
        (types: string[]) => types.length > 0,
        horizonWaitMs,
      );
      expect(listed).toEqual(['kyc.rejected']);
    } finally {
      await elsewhere.query('ROLLBACK').catch(() => undefined);
      await elsewhere.end();
    }
  });

  it('a cursor it never handed out is 400, and events need a token', async () => {
    expect((await api.request('GET', '/v1/events?after=bm90LWEtY3Vyc29y', { as: alice.subject })).status).toBe(400);
    expect((await api.request('GET', '/v1/events')).status).toBe(401);
  });
});

describe('webhook endpoints (operators)', () => {
  it('are created with a secret shown once, listed, changed, disabled and deleted, each audited', async () => {
    const created = await api.request('POST', '/v1/admin/webhooks/endpoints', {
      as: 'ops-events',
      operator: true,
      body: { url: 'http://127.0.0.1:9/nowhere', eventTypes: ['order.filled', 'kyc.*'], enabled: false },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: 'http://127.0.0.1:9/nowhere',
      eventTypes: ['order.filled', 'kyc.*'],
      enabled: false,
      createdBy: 'ops-events',
    });
    expect(created.body.secret).toMatch(/^whsec_/);
    const id = created.body.id as string;

    const read = await api.request('GET', `/v1/admin/webhooks/endpoints/${id}`, { as: 'ops-events', operator: true });
    expect(read.status).toBe(200);
    expect(read.body.secret).toBeUndefined();
    const list = await api.request('GET', '/v1/admin/webhooks/endpoints?limit=100', { as: 'ops-events', operator: true });
    expect(list.body.items.find((e: any) => e.id === id)).toMatchObject({ id, enabled: false });
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret);

    const changed = await api.request('PATCH', `/v1/admin/webhooks/endpoints/${id}`, {
      as: 'ops-events',
      operator: true,
      body: { eventTypes: ['deposit.failed'] },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ eventTypes: ['deposit.failed'], enabled: false });
    const unknownType = await api.request('PATCH', `/v1/admin/webhooks/endpoints/${id}`, {
      as: 'ops-events',
      operator: true,
      body: { eventTypes: ['deposit.stolen'] },
    });
    expect(unknownType.status).toBe(400);

    expect((await api.request('DELETE', `/v1/admin/webhooks/endpoints/${id}`, { as: 'ops-events', operator: true })).status).toBe(204);
    expect((await api.request('GET', `/v1/admin/webhooks/endpoints/${id}`, { as: 'ops-events', operator: true })).status).toBe(404);
    expect((await api.request('DELETE', `/v1/admin/webhooks/endpoints/${id}`, { as: 'ops-events', operator: true })).status).toBe(404);

    const audit = await api.db.operatorAuditEntry.findMany({ where: { operatorSubject: 'ops-events' }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((a) => [a.action, a.outcome])).toEqual([
      ['webhook_endpoint_create', 'accepted'],
      ['webhook_endpoint_update', 'accepted'],
      ['webhook_endpoint_delete', 'accepted'],
      ['webhook_endpoint_delete', 'refused'],
    ]);
    expect(JSON.stringify(audit)).not.toContain(created.body.secret);
  });

  it('are for operators only', async () => {
    const reply = await api.request('POST', '/v1/admin/webhooks/endpoints', { as: alice.subject, body: { url: 'http://127.0.0.1:9/x' } });
    expect(reply.status).toBe(403);
  });
});
