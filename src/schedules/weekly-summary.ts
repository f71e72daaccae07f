import {
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleHandle,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import type { Config } from '../config.js';
import { ensureSchedule } from './ensure.js';
import { searchAttributes, summaryRunTimeout } from '../../workflows/definitions.js';
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
    // A stuck week fails before the next is due; with overlap SKIP it would otherwise skip every later week.
    workflowExecutionTimeout: summaryRunTimeout,
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
 * Creates the schedule, or brings its spec, action and policies up to date (src/schedules/ensure.ts). `scheduleId`
 * is for tests that share one Temporal server with real workers.
 */
export function ensureWeeklySummarySchedule(
  client: Client,
  config: Config,
  { scheduleId = weeklySummaryScheduleId }: { scheduleId?: string } = {},
): Promise<ScheduleHandle> {
  return ensureSchedule<typeof weeklySummaryRunWorkflow>(client, {
    scheduleId,
    spec: specOf(config),
    action: actionOf(config, scheduleId),
    policies,
    note,
  });
}
