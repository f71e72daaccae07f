import { randomUUID } from 'node:crypto';
import type { ScheduleHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { previousWeekStart, weekRange } from '../../src/domain/week.js';
import { ensureWeeklySummarySchedule } from '../../src/schedules/weekly-summary.js';
import type { WeeklySummaryRunResult } from '../../workflows/summary.js';
import { inWeek, seedDeposit, summariesOf } from './seed.js';
import { createUser, startStack, type Stack } from '../helpers/stack.js';

// The schedule under its own id per test: worker processes started by other test files ensure the real
// `weekly-ai-summary` on the same Temporal server, with their own task queues.

let stack: Stack;
const schedules: ScheduleHandle[] = [];
beforeAll(async () => {
  stack = await startStack({ name: 'summaries' });
});
afterAll(async () => {
  for (const handle of schedules) await handle.delete().catch(() => {});
  await stack?.stop();
});

async function ensure(scheduleId: string, env: Record<string, string> = {}): Promise<ScheduleHandle> {
  const config = { ...stack.config, SUMMARY_CRON: loadConfig(env).SUMMARY_CRON };
  const handle = await ensureWeeklySummarySchedule(stack.client, config, { scheduleId });
  schedules.push(handle);
  return handle;
}

/** Waits for the schedule's `n`-th action and returns that run's result (following its continue-as-new chain). */
async function nthActionResult(handle: ScheduleHandle, n: number): Promise<WeeklySummaryRunResult> {
  for (;;) {
    const { info } = await handle.describe();
    const action = info.recentActions[n - 1];
    if (action) return stack.client.workflow.getHandle(action.action.workflow.workflowId).result();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the weekly summary schedule', () => {
  it('is created once with the configured cron and updated, not duplicated, when ensured again', async () => {
    const scheduleId = `weekly-ai-summary-test-${randomUUID()}`;
    const created = await ensure(scheduleId);
    const first = await created.describe();
    expect(first.policies.overlap).toBe('SKIP');
    expect(first.state.note).toMatch(/Pause here/);
    expect(first.action).toMatchObject({ workflowType: 'weeklySummaryRunWorkflow', taskQueue: stack.config.TEMPORAL_TASK_QUEUE });
    // The default cron, 0 8 * * MON: every Monday at 08:00 UTC.
    expect(first.info.nextActionTimes.length).toBeGreaterThan(0);
    for (const at of first.info.nextActionTimes) {
      expect([at.getUTCDay(), at.getUTCHours(), at.getUTCMinutes()]).toEqual([1, 8, 0]);
    }

    // An operator pauses it; the next worker start brings a new cron and keeps the pause.
    await created.pause('paused by the test operator');
    const updated = await ensure(scheduleId, { SUMMARY_CRON: '30 9 * * TUE' });
    const second = await updated.describe();
    for (const at of second.info.nextActionTimes) {
      expect([at.getUTCDay(), at.getUTCHours(), at.getUTCMinutes()]).toEqual([2, 9, 30]);
    }
    expect(second.state.paused).toBe(true);
    expect(second.state.note).toBe('paused by the test operator');
    expect(second.info.createdAt).toEqual(first.info.createdAt);

    const listed = [];
    for await (const schedule of stack.client.schedule.list()) if (schedule.scheduleId === scheduleId) listed.push(schedule);
    expect(listed).toHaveLength(1);
  });

  it('triggering it summarises last week for every active user with activity, and triggering again changes nothing', async () => {
    const week = previousWeekStart(new Date());
    const user = (await createUser(stack.db)).id;
    await seedDeposit(stack.db, user, { amountUsdc: '42.00', at: inWeek(week, 20) });
    const idle = (await createUser(stack.db)).id;

    const handle = await ensure(`weekly-ai-summary-test-${randomUUID()}`);
    await handle.trigger();
    // The run takes the week before the schedule's action time: the last full ISO week.
    expect(await nthActionResult(handle, 1)).toMatchObject({ weekStartDate: week, failed: 0 });
    const summaries = await summariesOf(stack.db, user);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.weekStartDate).toEqual(weekRange(week).start);
    expect(summaries[0]!.summaryMarkdown).toContain('42.00');
    expect(await summariesOf(stack.db, idle)).toEqual([]);

    await handle.trigger();
    expect(await nthActionResult(handle, 2)).toMatchObject({ weekStartDate: week, failed: 0 });
    expect(await summariesOf(stack.db, user)).toEqual(summaries);
  });
});
