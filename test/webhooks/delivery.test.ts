import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebhookDispatcher } from '../../src/schedules/webhooks.js';
import { webhookWorkflowIds } from '../../workflows/webhooks.js';
import { startApi, type Api } from '../api/harness.js';
import { eventually } from '../helpers/eventually.js';
import { createUser, startStack, type Stack } from '../helpers/stack.js';
import { depositUsdc, provisionWallet } from '../workflows/support.js';
import { startReceiver, type Receiver } from './receiver.js';

// Events pushed to an operator's endpoint per the Standard Webhooks specification, verified the way an app
// backend would: with the same `standardwebhooks` library, over the raw body and the three headers.

const depositSteps = ['pending_confirmation', 'confirmed_on_chain', 'off_ramp_initiated', 'off_ramp_complete', 'broker_funded'].map(
  (s) => `deposit.${s}`,
);

let stack: Stack;
let api: Api;
const receivers: Receiver[] = [];
const dispatcherId = () => `webhook-dispatcher-${stack.taskQueue}`;

beforeAll(async () => {
  stack = await startStack({
    name: 'webhooks',
    env: {
      WEBHOOK_DISPATCH_INTERVAL_SECONDS: '0.2',
      WEBHOOK_RETRY_INITIAL_SECONDS: '0.3',
      WEBHOOK_RETRY_MAX_INTERVAL_SECONDS: '1',
      WEBHOOK_TIMEOUT_SECONDS: '5',
    },
  });
  api = await startApi({ stack });
  await ensureWebhookDispatcher(stack.client, stack.config, { workflowId: dispatcherId() });
});
afterAll(async () => {
  await stack?.client.workflow
    .getHandle(dispatcherId())
    .terminate('test over')
    .catch(() => undefined);
  for (const r of receivers) await r.close();
  await api?.close();
  await stack?.stop();
});

async function endpointFor(receiver: Receiver, eventTypes: string[] = ['deposit.*']) {
  const created = await api.request('POST', '/v1/admin/webhooks/endpoints', {
    as: 'ops',
    operator: true,
    body: { url: receiver.url, eventTypes, description: 'test receiver' },
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; secret: string };
}

/**
 * How long a test waits for deliveries. Events are read only below the oldest writing transaction of the database
 * (README, "Events and webhooks"), and CI runs other test files beside this one in the same database, whose sagas
 * hold such transactions for moments: a delivery may wait for them.
 */
const deliveryWaitMs = 120_000;

async function fundedDeposit(amount: string) {
  const user = await createUser(stack.db);
  const wallet = await provisionWallet(stack, user.id);
  const { handle, txHash } = await depositUsdc(stack, { userId: user.id, address: wallet.address, amount });
  expect(await handle.result()).toBe('broker_funded');
  return stack.db.deposit.findUniqueOrThrow({ where: { chain_txHash: { chain: 'ethereum', txHash } } });
}

/** What the receiver accepted for one resource, as the parsed payloads, in arrival order. */
const acceptedFor = (receiver: Receiver, resourceId: string) =>
  receiver.received
    .filter((r) => r.answered < 300)
    .map((r) => JSON.parse(r.body))
    .filter((p) => p.resource.id === resourceId);

describe('events', () => {
  it("a deposit's status changes are events, in order, with the row as the API shows it", async () => {
    const deposit = await fundedDeposit('25.129999');
    const events = await stack.db.event.findMany({
      where: { resourceType: 'deposit', resourceId: deposit.id },
      orderBy: { sequence: 'asc' },
    });
    expect(events.map((e) => e.type)).toEqual(depositSteps);
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(events.every((e) => e.userId === deposit.userId)).toBe(true);
    // Each event tells the row as it was after its change; money is a decimal string, never a JSON number.
    expect(events.map((e) => (e.data as { status: string }).status)).toEqual(depositSteps.map((t) => t.split('.')[1]));
    expect(events.at(-1)!.data).toMatchObject({ id: deposit.id, amountUsdc: '25.129999', amountUsd: '25.12', status: 'broker_funded' });
  });

  it('a status change that is rolled back leaves no event, and rewriting the same status adds none', async () => {
    const deposit = await fundedDeposit('3');
    const count = () => stack.db.event.count({ where: { resourceId: deposit.id } });
    const before = await count();
    await expect(
      stack.db.$transaction(async (tx) => {
        await tx.$executeRaw`UPDATE deposits SET status = 'failed' WHERE id = ${deposit.id}::uuid`;
        throw new Error('the statement after it failed');
      }),
    ).rejects.toThrow('the statement after it failed');
    await stack.db.$executeRaw`UPDATE deposits SET status = status, failure_reason = NULL WHERE id = ${deposit.id}::uuid`;
    expect(await count()).toBe(before);
  });
});

describe('webhook delivery', { timeout: 5 * deliveryWaitMs }, () => {
  it('signs every event so that the Standard Webhooks library verifies it, and a tampered body fails', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const endpoint = await endpointFor(receiver);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const deposit = await fundedDeposit('12.5');

    const accepted = await eventually(
      async () => receiver.received.filter((r) => JSON.parse(r.body).resource.id === deposit.id),
      (r) => r.length === 5,
      deliveryWaitMs,
    );
    const verifier = new Webhook(endpoint.secret);
    const events = await stack.db.event.findMany({ where: { resourceId: deposit.id }, orderBy: { sequence: 'asc' } });
    for (const [i, request] of accepted.entries()) {
      const headers = {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      };
      const payload = verifier.verify(request.body, headers) as {
        id: string;
        type: string;
        resource: { sequence: number };
        data: { amountUsd: string };
      };
      expect(headers['webhook-id']).toBe(events[i]!.id);
      expect(payload).toMatchObject({
        id: events[i]!.id,
        type: depositSteps[i],
        resource: { sequence: i + 1 },
        data: { amountUsd: '12.50' },
      });
      const tampered = request.body.replace('"amountUsd":"12.50"', '"amountUsd":"9912.50"');
      expect(tampered).not.toBe(request.body);
      expect(() => verifier.verify(tampered, headers)).toThrow(WebhookVerificationError);
      expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(request.body, headers)).toThrow(
        WebhookVerificationError,
      );
    }
  });

  it('a receiver that answers 500 for a while gets every event later, in order, and the log shows the failed attempts', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    let down = true;
    receiver.answer = () => (down ? 500 : 200);
    const endpoint = await endpointFor(receiver);
    const deposit = await fundedDeposit('40');

    // Down until its first event has been refused three times.
    await eventually(
      async () => receiver.received.filter((r) => JSON.parse(r.body).resource.id === deposit.id).length,
      (n) => n >= 3,
      deliveryWaitMs,
    );
    expect(acceptedFor(receiver, deposit.id)).toEqual([]);
    down = false;

    const payloads = await eventually(
      async () => acceptedFor(receiver, deposit.id),
      (p) => p.length === 5,
      deliveryWaitMs,
    );
    expect(payloads.map((p) => p.type)).toEqual(depositSteps);
    expect(payloads.map((p) => p.resource.sequence)).toEqual([1, 2, 3, 4, 5]);

    const log = await api.request('GET', `/v1/admin/webhooks/endpoints/${endpoint.id}/deliveries?limit=100`, { as: 'ops', operator: true });
    expect(log.status).toBe(200);
    const mine = (log.body.items as any[]).filter((d) => d.resourceId === deposit.id).sort((a, b) => a.sequence - b.sequence);
    expect(mine.map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered']);
    const first = mine[0];
    expect(first.attempts.length).toBeGreaterThanOrEqual(4);
    expect(first.attempts.slice(0, 3).map((a: any) => [a.statusCode, a.succeeded, a.error])).toEqual(
      Array(3).fill([500, false, 'receiver answered 500']),
    );
    expect(first.attempts.at(-1)).toMatchObject({ statusCode: 200, succeeded: true, error: null });
    expect(first.attemptCount).toBe(first.attempts.length);
    expect(typeof first.attempts[0].latencyMs).toBe('number');
  });

  it('an operator replays a delivery from the log: the same event id is sent again and logged', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const endpoint = await endpointFor(receiver, ['deposit.broker_funded']);
    const deposit = await fundedDeposit('7');
    await eventually(
      async () => acceptedFor(receiver, deposit.id),
      (p) => p.length === 1,
      deliveryWaitMs,
    );
    const log = await api.request('GET', `/v1/admin/webhooks/endpoints/${endpoint.id}/deliveries?status=delivered`, {
      as: 'ops',
      operator: true,
    });
    const delivery = (log.body.items as any[]).find((d) => d.resourceId === deposit.id);
    expect(delivery).toMatchObject({ eventType: 'deposit.broker_funded', status: 'delivered', attemptCount: 1 });
    // Its delivery run has finished: the replay must start one.
    const run = stack.client.workflow.getHandle(webhookWorkflowIds.delivery(endpoint.id, 'deposit', deposit.id));
    expect(await run.result()).toEqual({ delivered: 1, failed: 0 });

    const replay = await api.request('POST', `/v1/admin/webhooks/endpoints/${endpoint.id}/deliveries/${delivery.id}/replay`, {
      as: 'ops',
      operator: true,
      body: {},
    });
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ id: delivery.id, status: 'pending' });

    const twice = await eventually(
      async () => receiver.received.filter((r) => JSON.parse(r.body).resource.id === deposit.id),
      (r) => r.length === 2,
      deliveryWaitMs,
    );
    expect(twice[1]!.headers['webhook-id']).toBe(delivery.eventId);
    expect(twice[1]!.headers['webhook-id']).toBe(twice[0]!.headers['webhook-id']);
    const after = await eventually(
      async () =>
        (await api.request('GET', `/v1/admin/webhooks/endpoints/${endpoint.id}/deliveries`, { as: 'ops', operator: true })).body.items.find(
          (d: any) => d.id === delivery.id,
        ),
      (d: any) => d.status === 'delivered' && d.attemptCount === 2,
    );
    expect(after.attempts).toHaveLength(2);

    const audit = await stack.db.operatorAuditEntry.findMany({ where: { action: 'webhook_replay', targetId: delivery.id } });
    expect(audit.map((a) => a.outcome)).toEqual(['accepted']);
  });

  it('an endpoint with hundreds of resources waiting, whose secret no key opens, keeps no other endpoint waiting', async () => {
    // Sorted before every other endpoint (the round used to take the first 200 waiting resources in id order), and
    // sealed under a key this worker lacks (its attempts used to fail before they were logged, so its resources
    // stayed "never tried", first in line, every round).
    const stuck = await stack.db.webhookEndpoint.create({
      data: {
        id: '00000000-0000-4000-8000-000000000000',
        url: 'http://127.0.0.1:9/stuck',
        secret: `sealed:v1:gone:${Buffer.alloc(48, 1).toString('base64')}`,
        eventTypes: ['summary.created'],
        createdBy: 'ops',
      },
    });
    try {
      await stack.db.$executeRaw`
        WITH waiting AS (
          INSERT INTO events (xid, type, resource_type, resource_id, sequence, user_id, data)
          SELECT 1, 'deposit.broker_funded', 'deposit', uuid_generate_v4(), 1, uuid_generate_v4(), '{}'::jsonb FROM generate_series(1, 300)
          RETURNING id, resource_id)
        INSERT INTO webhook_deliveries (endpoint_id, event_id, resource_type, resource_id, sequence)
        SELECT ${stuck.id}::uuid, id, 'deposit', resource_id, 1 FROM waiting`;

      const receiver = await startReceiver();
      receivers.push(receiver);
      await endpointFor(receiver, ['deposit.broker_funded']);
      const deposit = await fundedDeposit('3.25');
      await eventually(
        async () => acceptedFor(receiver, deposit.id),
        (p) => p.length === 1,
        deliveryWaitMs,
      );
      // The stuck endpoint's attempts are logged as failed ones, as any receiver that is down.
      const attempt = await stack.db.webhookDeliveryAttempt.findFirst({ where: { delivery: { endpointId: stuck.id } } });
      expect(attempt).toMatchObject({ succeeded: false, statusCode: null, error: expect.stringMatching(/key "gone"/) });
    } finally {
      // Its runs find their deliveries gone and end.
      await stack.db.webhookEndpoint.delete({ where: { id: stuck.id } });
    }
  });
});
