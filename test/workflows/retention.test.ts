import { randomUUID } from 'node:crypto';
import type { ScheduleHandle } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ensureRetentionSchedule } from '../../src/schedules/retention.js';
import type { RetentionResult } from '../../workflows/retention.js';
import { createUser, startStack, type Stack } from '../helpers/stack.js';

// Idempotency keys, handled Circle notifications and expired rate limit buckets are purged by the `retention`
// schedule after their configured retention, in bounded batches; keys are never purged before 24 hours. The
// schedule runs under its own id per test: worker processes started by other test files ensure the real one.

const hour = 3_600_000;
let stack: Stack;
const schedules: ScheduleHandle[] = [];
beforeAll(async () => {
  stack = await startStack({
    name: 'retention',
    env: {
      IDEMPOTENCY_KEY_RETENTION_HOURS: '72',
      CIRCLE_NOTIFICATION_RETENTION_HOURS: '48',
      EVENT_RETENTION_HOURS: '48',
      RETENTION_BATCH_SIZE: '2',
    },
  });
});
afterAll(async () => {
  for (const handle of schedules) await handle.delete().catch(() => {});
  await stack?.stop();
});

async function ensure(scheduleId: string, env: Record<string, string> = {}): Promise<ScheduleHandle> {
  const config = { ...stack.config, RETENTION_CRON: loadConfig(env).RETENTION_CRON };
  const handle = await ensureRetentionSchedule(stack.client, config, { scheduleId });
  schedules.push(handle);
  return handle;
}

/** Waits for the schedule's first action and returns that run's result (following continue-as-new). */
async function firstActionResult(handle: ScheduleHandle): Promise<RetentionResult> {
  for (;;) {
    const { info } = await handle.describe();
    const action = info.recentActions[0];
    if (action) return stack.client.workflow.getHandle(action.action.workflow.workflowId).result();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ago = (hours: number) => new Date(Date.now() - hours * hour);

async function seedKeys(userId: string, label: string, ages: number[]): Promise<string[]> {
  const keys = ages.map((age) => `${label}-${age}h-${randomUUID()}`);
  await stack.db.idempotencyKey.createMany({
    data: keys.map((key, i) => ({
      userId,
      key,
      requestHash: 'a'.repeat(64),
      resourceType: 'withdrawal',
      resourceId: randomUUID(),
      createdAt: ago(ages[i]!),
    })),
  });
  return keys;
}

async function keysLeft(userId: string): Promise<string[]> {
  return (await stack.db.idempotencyKey.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } })).map((k) => k.key.split('-')[1]!);
}

describe('the retention schedule', () => {
  it('is created once with the configured cron and updated, not duplicated, when ensured again', async () => {
    const scheduleId = `retention-test-${randomUUID()}`;
    const created = await ensure(scheduleId);
    const first = await created.describe();
    expect(first.policies.overlap).toBe('SKIP');
    expect(first.action).toMatchObject({ workflowType: 'retentionWorkflow', taskQueue: stack.config.TEMPORAL_TASK_QUEUE });
    expect(first.action.type === 'startWorkflow' && first.action.args).toEqual([
      { idempotencyKeyRetentionHours: 72, circleNotificationRetentionHours: 48, eventRetentionHours: 48, batchSize: 2 },
    ]);
    // The default cron, 17 * * * *: every hour at :17.
    expect(first.info.nextActionTimes.length).toBeGreaterThan(0);
    for (const at of first.info.nextActionTimes) expect(at.getUTCMinutes()).toBe(17);

    await created.pause('paused by the test operator');
    const updated = await ensure(scheduleId, { RETENTION_CRON: '5 3 * * *' });
    const second = await updated.describe();
    for (const at of second.info.nextActionTimes) expect([at.getUTCHours(), at.getUTCMinutes()]).toEqual([3, 5]);
    expect(second.state.paused).toBe(true);
    expect(second.info.createdAt).toEqual(first.info.createdAt);
    const listed = [];
    for await (const schedule of stack.client.schedule.list()) if (schedule.scheduleId === scheduleId) listed.push(schedule);
    expect(listed).toHaveLength(1);
  });

  it('purges rows older than their retention in batches and reports the counts; younger rows stay', async () => {
    const user = await createUser(stack.db);
    // Five keys past 72 h (three batches of at most two), three younger ones.
    await seedKeys(user.id, 'k', [1000, 200, 100, 80, 73, 71, 30, 1]);
    const notifications = [49, 50, 500, 47, 0].map((age) => ({
      notificationId: `retention-${age}h-${randomUUID()}`,
      notificationType: 'transactions.inbound',
      receivedAt: ago(age),
    }));
    await stack.db.circleNotification.createMany({ data: notifications });
    const now = Date.now();
    const buckets = [
      { key: `retention-expired-1-${randomUUID()}`, points: 3, expire: BigInt(now - 10_000) },
      { key: `retention-expired-2-${randomUUID()}`, points: 1, expire: BigInt(now - 2 * hour) },
      { key: `retention-expired-3-${randomUUID()}`, points: 9, expire: BigInt(now - 60_000) },
      { key: `retention-live-${randomUUID()}`, points: 2, expire: BigInt(now + hour) },
      { key: `retention-forever-${randomUUID()}`, points: 2, expire: null },
    ];
    await stack.db.rateLimit.createMany({ data: buckets });

    const handle = await ensure(`retention-test-${randomUUID()}`);
    await handle.trigger();
    const result = await firstActionResult(handle);

    expect(await keysLeft(user.id)).toEqual(['71h', '30h', '1h']);
    expect(result.idempotencyKeys).toEqual({ deleted: 5, batches: 3 });
    const notificationsLeft = await stack.db.circleNotification.findMany({
      where: { notificationId: { in: notifications.map((n) => n.notificationId) } },
    });
    expect(notificationsLeft.map((n) => n.notificationId.split('-')[1]).sort()).toEqual(['0h', '47h']);
    expect(result.circleNotifications).toEqual({ deleted: 3, batches: 2 });
    const bucketsLeft = await stack.db.rateLimit.findMany({ where: { key: { in: buckets.map((b) => b.key) } } });
    expect(bucketsLeft.map((b) => b.key.split('-')[1]).sort()).toEqual(['forever', 'live']);
    // Other test files' API processes spend buckets in the same table meanwhile: at least ours were purged.
    expect(result.rateLimits.deleted).toBeGreaterThanOrEqual(3);
  });

  it('purges events and finished webhook deliveries past EVENT_RETENTION_HOURS, never an event still to be delivered', async () => {
    // Events as the triggers write them, aged by hand. xid 1 is behind every endpoint's fan-out cursor (fanned out);
    // the last one's xid is beyond the cursor of an enabled endpoint that has not reached it yet.
    const resource = randomUUID();
    const userId = randomUUID();
    const notFannedOut = 9_000_000_000_000_000n;
    const seeded = [
      { label: 'old', age: 100, xid: 1n },
      { label: 'old-delivered', age: 90, xid: 1n },
      { label: 'old-pending', age: 80, xid: 1n },
      { label: 'old-not-fanned-out', age: 70, xid: notFannedOut },
      { label: 'young', age: 10, xid: 1n },
      { label: 'old-newest-of-another', age: 60, xid: 1n },
    ];
    const ids: Record<string, string> = {};
    for (const [i, e] of seeded.entries()) {
      const other = e.label === 'old-newest-of-another';
      const [row] = await stack.db.$queryRaw<{ id: string }[]>`
        INSERT INTO events (xid, type, resource_type, resource_id, sequence, user_id, data, created_at)
        VALUES (${e.xid}, 'deposit.confirmed_on_chain', 'deposit', ${other ? randomUUID() : resource}::uuid, ${other ? 1 : i + 1}, ${userId}::uuid,
                ${JSON.stringify({ label: e.label })}::jsonb, ${ago(e.age)})
        RETURNING id`;
      ids[e.label] = row!.id;
    }
    // Deliveries on a disabled endpoint (no dispatcher touches it): finished ones old and young, and a pending one.
    const endpoint = await stack.db.webhookEndpoint.create({
      data: { url: 'https://93.184.216.34/hooks', secret: 'whsec_x', createdBy: 'retention-test', enabled: false },
    });
    const delivery = (label: string, status: string, age: number) =>
      stack.db.webhookDelivery.create({
        data: {
          endpointId: endpoint.id,
          eventId: ids[label]!,
          resourceType: 'deposit',
          resourceId: resource,
          sequence: 1,
          status,
          createdAt: ago(age),
          lastAttemptAt: ago(age),
          attempts: { create: [{ latencyMs: 5, succeeded: status === 'delivered', statusCode: 200, attemptedAt: ago(age) }] },
        },
      });
    const deliveredOld = await delivery('old-delivered', 'delivered', 90);
    const failedOld = await delivery('old', 'failed', 95);
    const pendingOld = await delivery('old-pending', 'pending', 80);
    const deliveredYoung = await delivery('young', 'delivered', 10);
    const cursorBehind = await stack.db.webhookEndpoint.create({
      data: {
        url: 'https://93.184.216.34/other',
        secret: 'whsec_y',
        createdBy: 'retention-test',
        enabled: true,
        cursorXid: notFannedOut - 1n,
      },
    });

    try {
      const handle = await ensure(`retention-test-${randomUUID()}`);
      await handle.trigger();
      const result = await firstActionResult(handle);

      const left = await stack.db.event.findMany({ where: { id: { in: Object.values(ids) } } });
      const labels = left.map((e) => (e.data as { label: string }).label).sort();
      // `old-newest-of-another` is its resource's newest event: kept so that its next one continues the sequence.
      expect(labels).toEqual(['old-newest-of-another', 'old-not-fanned-out', 'old-pending', 'young']);
      const deliveriesLeft = await stack.db.webhookDelivery.findMany({ where: { endpointId: endpoint.id } });
      expect(deliveriesLeft.map((d) => d.id).sort()).toEqual([pendingOld.id, deliveredYoung.id].sort());
      expect(await stack.db.webhookDeliveryAttempt.count({ where: { deliveryId: { in: [deliveredOld.id, failedOld.id] } } })).toBe(0);
      expect(await stack.db.webhookDeliveryAttempt.count({ where: { deliveryId: pendingOld.id } })).toBe(1);
      expect(result.webhookDeliveries!.deleted).toBeGreaterThanOrEqual(2);
      expect(result.events!.deleted).toBeGreaterThanOrEqual(2);
    } finally {
      await stack.db.webhookEndpoint.deleteMany({ where: { id: { in: [endpoint.id, cursorBehind.id] } } });
    }
  });

  it('never purges idempotency keys younger than 24 hours, whatever a run is asked', async () => {
    const user = await createUser(stack.db);
    await seedKeys(user.id, 'k', [25, 23, 2]);
    const run = stack.client.workflow.execute('retentionWorkflow', {
      workflowId: `retention-too-short-${randomUUID()}`,
      taskQueue: stack.taskQueue,
      args: [{ idempotencyKeyRetentionHours: 1, circleNotificationRetentionHours: 48, batchSize: 10 }],
    });
    const failure = await run.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(String((failure as WorkflowFailedError).cause?.message)).toMatch(/at least 24 hours/);
    expect(await keysLeft(user.id)).toEqual(['25h', '23h', '2h']);
  });

  it('refuses a configured key retention under 24 hours', () => {
    expect(() => loadConfig({ IDEMPOTENCY_KEY_RETENTION_HOURS: '23' })).toThrow(/IDEMPOTENCY_KEY_RETENTION_HOURS/);
    expect(() => loadConfig({ CIRCLE_NOTIFICATION_RETENTION_HOURS: '1' })).toThrow(/CIRCLE_NOTIFICATION_RETENTION_HOURS/);
    expect(() => loadConfig({ EVENT_RETENTION_HOURS: '23' })).toThrow(/EVENT_RETENTION_HOURS/);
    expect(loadConfig({}).IDEMPOTENCY_KEY_RETENTION_HOURS).toBe(72);
    expect(loadConfig({ IDEMPOTENCY_KEY_RETENTION_HOURS: '24' }).IDEMPOTENCY_KEY_RETENTION_HOURS).toBe(24);
  });
});
