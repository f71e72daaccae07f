import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWeeklySummarySchedule } from '../../src/schedules/weekly-summary.js';
import { workflowIds } from '../../workflows/definitions.js';
import { weeklySummaryRunWorkflow } from '../../workflows/summary.js';
import { createUser, startStack, type Stack } from '../helpers/stack.js';
import { inWeek, seedDeposit } from './seed.js';

// The schedule skips a week while the previous one still runs (overlap SKIP): a week stuck on a dependency must
// fail in bounded time, or every later week is skipped without a word. So every activity a summary run schedules
// has an attempt limit and a timeout, each child a deadline, and the run itself one.

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ name: 'summaries-bounded' });
});
afterAll(() => stack?.stop());

async function scheduledActivities(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    return a
      ? [
          {
            type: a.activityType?.name,
            maximumAttempts: a.retryPolicy?.maximumAttempts ?? 0,
            startToClose: Number(a.startToCloseTimeout?.seconds ?? 0),
          },
        ]
      : [];
  });
}

describe('a weekly summary run', () => {
  it('retries each activity a bounded number of times, and each child and each run has a deadline', async () => {
    const week = '2024-04-01';
    const user = await createUser(stack.db);
    await seedDeposit(stack.db, user.id, { amountUsdc: '15.00', at: inWeek(week, 3) });
    const run = await stack.client.workflow.start(weeklySummaryRunWorkflow, {
      workflowId: workflowIds.summaryRun(week),
      taskQueue: stack.taskQueue,
      args: [{ weekStartDate: week }],
    });
    expect(await run.result()).toMatchObject({ processed: 1, failed: 0 });

    const child = stack.client.workflow.getHandle(workflowIds.summary(user.id, week));
    const activities = [...(await scheduledActivities(run)), ...(await scheduledActivities(child))];
    expect(activities.map((a) => a.type).sort()).toEqual(['gatherWeeklyFacts', 'listSummaryCandidates', 'writeSummary']);
    for (const activity of activities) {
      expect(activity.maximumAttempts, String(activity.type)).toBeGreaterThan(0);
      expect(activity.startToClose, String(activity.type)).toBeGreaterThan(0);
    }
    const started = ((await run.fetchHistory()).events ?? []).find((e) => e.startChildWorkflowExecutionInitiatedEventAttributes);
    expect(Number(started?.startChildWorkflowExecutionInitiatedEventAttributes?.workflowExecutionTimeout?.seconds ?? 0)).toBeGreaterThan(0);
  });

  it('started by the schedule, has a deadline shorter than a week', async () => {
    const schedule = await ensureWeeklySummarySchedule(stack.client, stack.config, { scheduleId: `bounded-${stack.taskQueue}` });
    try {
      const { action } = await schedule.describe();
      expect(action.type).toBe('startWorkflow');
      const timeoutMs = action.type === 'startWorkflow' ? Number(action.workflowExecutionTimeout ?? 0) : 0;
      expect(timeoutMs).toBeGreaterThan(0);
      expect(timeoutMs).toBeLessThan(7 * 24 * 3600 * 1000);
    } finally {
      await schedule.delete();
    }
  });
});
