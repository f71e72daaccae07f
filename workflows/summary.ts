import {
  ApplicationFailure,
  defineSearchAttributeKey,
  SearchAttributeType,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import { ChildWorkflowFailure, continueAsNew, executeChild, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createSummaryActivities, SummaryWriteResult, WeeklyFacts } from '../activities/summaries/index.js';
import { isWeekStartDate, previousWeekStart } from '../src/domain/week.js';
import { searchAttributes, workflowIds } from './definitions.js';

// Weekly AI summaries. The schedule `weekly-ai-summary` (src/schedules/weekly-summary.ts) or an operator starts
// weeklySummaryRunWorkflow for a week; it pages through the active (KYC approved) users that had activity in the
// week and have no summary for it yet, runs userWeeklySummaryWorkflow for each with bounded concurrency, and
// continues as new after every page, so its history stays bounded however many users there are.
//
// Once per user and week, at every level: the candidate query skips users that already have the row; the child
// id is workflowIds.summary(user, week) with reuse ALLOW_DUPLICATE_FAILED_ONLY (a completed child is never run
// again, a failed one may be); the child returns early when the row exists; the insert is ON CONFLICT DO NOTHING.
//
// Outcomes: a user with no deposit, withdrawal or order in the week gets no summary (nothing to say, no LLM
// cost). An LLM answer that is empty or cites none of our figures, or a content-policy refusal, stores a
// deterministic fallback made of our figures. A child that fails (LLM unavailable past its retries, LLM
// misconfigured) is counted as failed and the run goes on; running the week again retries exactly those users.
// When every child of a page fails the run itself fails (SummaryPageFailed), visible in the Temporal UI.

type SummaryActivities = ReturnType<typeof createSummaryActivities>;

// Every retry is bounded, so a dependency that stays down fails the child (counted failed, rerun with the week) or
// the run, never holds a week open until the next one is due (the schedule would SKIP it).
const { listSummaryCandidates, gatherWeeklyFacts } = proxyActivities<SummaryActivities>({
  // Two queries over our own tables; about 4 minutes of retries ride out a PostgreSQL restart.
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

const { writeSummary } = proxyActivities<SummaryActivities>({
  // One LLM call (PROVIDER_TIMEOUT_MS) and one insert.
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

/** Set by the server on runs a schedule starts: the action's nominal time, the same on a late or catch-up run. */
const scheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export const defaultSummaryPageSize = 200;
export const defaultSummaryConcurrency = 20;

export interface WeeklySummaryRunInput {
  /** Monday (YYYY-MM-DD); default: the last full ISO week before the scheduled (or start) time, UTC. */
  weekStartDate?: string;
  /** The last user id of the previous page (keyset pagination by users.id). */
  cursor?: string;
  /** Users handled by the earlier runs of this chain. */
  processed?: number;
  /** Children that failed in the earlier runs of this chain. */
  failed?: number;
  /** Children running at once (SUMMARY_CONCURRENCY). */
  concurrency?: number;
  /** Users per page (SUMMARY_PAGE_SIZE). */
  pageSize?: number;
}

export interface WeeklySummaryRunResult {
  weekStartDate: string;
  processed: number;
  failed: number;
}

export type UserSummaryOutcome = SummaryWriteResult['source'] | 'no_activity' | 'failed';

export async function weeklySummaryRunWorkflow(input: WeeklySummaryRunInput = {}): Promise<WeeklySummaryRunResult> {
  const info = workflowInfo();
  // Workflow time, never the clock: the schedule's nominal time, or when this chain of runs started.
  const weekStartDate = input.weekStartDate ?? previousWeekStart(info.typedSearchAttributes.get(scheduledStartTime) ?? info.startTime);
  if (!isWeekStartDate(weekStartDate)) {
    throw ApplicationFailure.nonRetryable(`${weekStartDate} is not a Monday (YYYY-MM-DD)`, 'InvalidWeek');
  }
  const concurrency = Math.max(1, input.concurrency ?? defaultSummaryConcurrency);
  const pageSize = Math.max(1, input.pageSize ?? defaultSummaryPageSize);

  const userIds = await listSummaryCandidates({ weekStartDate, afterUserId: input.cursor, limit: pageSize });
  const outcomes = await inLanes(userIds, concurrency, (userId) => summarizeUser(userId, weekStartDate));

  const failedInPage = outcomes.filter((o) => o === 'failed').length;
  const processed = (input.processed ?? 0) + userIds.length;
  const failed = (input.failed ?? 0) + failedInPage;
  log.info('weekly summary page done', { weekStartDate, page: userIds.length, processed, failed });
  // A whole page failing is the LLM or its configuration, not the users: stop before running through them all.
  if (userIds.length > 0 && failedInPage === userIds.length) {
    throw ApplicationFailure.nonRetryable(
      `every summary of a page failed (${failed} failed, ${processed} processed); run the week again once fixed`,
      'SummaryPageFailed',
    );
  }

  if (userIds.length < pageSize) return { weekStartDate, processed, failed };
  return continueAsNew<typeof weeklySummaryRunWorkflow>({
    weekStartDate,
    cursor: userIds.at(-1),
    processed,
    failed,
    concurrency,
    pageSize,
  });
}

async function summarizeUser(userId: string, weekStartDate: string): Promise<UserSummaryOutcome> {
  try {
    return await executeChild(userWeeklySummaryWorkflow, {
      workflowId: workflowIds.summary(userId, weekStartDate),
      args: [{ userId, weekStartDate }],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      // Past its activities' retries (about 30 minutes at worst): a child that still has not ended counts as failed.
      workflowExecutionTimeout: '1 hour',
      typedSearchAttributes: [
        { key: searchAttributes.kind, value: 'summary' },
        { key: searchAttributes.userId, value: userId },
      ],
    });
  } catch (error) {
    // Completed before (that week's summary exists), or running right now under another run of the same week.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'existing';
    if (error instanceof ChildWorkflowFailure) {
      log.warn('user summary failed', { userId, weekStartDate, cause: error.cause?.message });
      return 'failed';
    }
    throw error;
  }
}

/** Runs `run` over `items` with at most `lanes` in flight; each lane takes the next item when it is free. */
async function inLanes<T, R>(items: readonly T[], lanes: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  return results;
}

function hasActivity(facts: WeeklyFacts): boolean {
  return facts.deposits.count + facts.withdrawals.count + facts.orders.count > 0;
}

export interface UserWeeklySummaryInput {
  userId: string;
  /** Monday, YYYY-MM-DD. */
  weekStartDate: string;
}

export async function userWeeklySummaryWorkflow(input: UserWeeklySummaryInput): Promise<UserSummaryOutcome> {
  const facts = await gatherWeeklyFacts(input);
  if (facts.alreadySummarized) return 'existing';
  if (!hasActivity(facts)) return 'no_activity';
  const { source } = await writeSummary(facts);
  return source;
}
