import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleHandle,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import type { Config } from '../config.js';
import { searchAttributes } from '../../workflows/definitions.js';
import type { weeklySummaryRunWorkflow } from '../../workflows/summary.js';

// The Temporal Schedule behind the weekly AI summaries. The worker ensures it at start: created the first time,
// brought up to date with the configuration afterwards (cron, task queue, concurrency), never duplicated.
// Operators pause, resume or trigger it in the Temporal UI; a pause survives worker restarts.

export const weeklySummaryScheduleId = 'weekly-ai-summary';

const note =
  'Weekly AI summaries of every active user (KYC approved) with activity in the previous ISO week. ' +
  'Pause here to stop them; POST /v1/admin/summaries/run runs one week on demand.';

function specOf(config: Config): ScheduleSpec {
  return { cronExpressions: [config.SUMMARY_CRON], timezone: 'UTC' };
}

function actionOf(config: Config, scheduleId: string): ScheduleOptionsStartWorkflowAction<typeof weeklySummaryRunWorkflow> {
  return {
    type: 'startWorkflow',
    workflowType: 'weeklySummaryRunWorkflow',
    // The server appends the action's time to it: weekly-ai-summary-run-2026-11-23T08:00:00Z.
    workflowId: `${scheduleId}-run`,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    // No week: the run takes the week before the action's nominal time (TemporalScheduledStartTime).
    args: [{ concurrency: config.SUMMARY_CONCURRENCY, pageSize: config.SUMMARY_PAGE_SIZE }],
    typedSearchAttributes: [{ key: searchAttributes.kind, value: 'summary' }],
  };
}

const policies = {
  // A week still running when the next one is due (or an operator's trigger) is left to finish alone.
  overlap: ScheduleOverlapPolicy.SKIP,
  // After an outage of up to a day the missed Monday still runs; longer, an operator runs the week on demand.
  catchupWindow: '1 day',
  pauseOnFailure: false,
};

/**
 * Creates the weekly summary schedule, or updates its spec, action and policies when it already exists.
 * `scheduleId` is for tests that share one Temporal server with a worker ensuring the real one.
 */
export async function ensureWeeklySummarySchedule(
  client: Client,
  config: Config,
  { scheduleId = weeklySummaryScheduleId }: { scheduleId?: string } = {},
): Promise<ScheduleHandle> {
  try {
    return await client.schedule.create({
      scheduleId,
      spec: specOf(config),
      action: actionOf(config, scheduleId),
      policies,
      memo: { description: note },
      state: { note },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.schedule.getHandle(scheduleId);
  // The state (paused or not, and the operator's note) is the operators' to keep.
  await handle.update<typeof weeklySummaryRunWorkflow>((previous) => ({
    ...previous,
    spec: specOf(config),
    action: actionOf(config, scheduleId),
    policies,
  }));
  return handle;
}
