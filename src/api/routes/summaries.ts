import { Router } from 'express';
import { z } from 'zod';
import type { AiSummary } from '../../generated/prisma/client.js';
import { isoDate, isWeekStartDate, previousWeekStart, weekHasEnded } from '../../domain/week.js';
import { searchAttributes, summaryRunTimeout, workflowIds } from '../../../workflows/definitions.js';
import type { weeklySummaryRunWorkflow } from '../../../workflows/summary.js';
import type { AppDeps } from '../app.js';
import { audited } from '../audit.js';
import { callerIdOf } from '../auth.js';
import { pageArgs, toPage } from '../pagination.js';
import { HttpProblem } from '../problem.js';
import { route } from '../route.js';
import { listQuery } from '../schemas.js';
import { pageView } from '../serializers.js';

// Weekly AI summaries: the caller reads theirs; an operator runs a week now (the schedule runs it every Monday).

const summaryView = z
  .object({
    id: z.guid(),
    weekStartDate: z.iso.date().meta({ description: 'The Monday (UTC) the summarised ISO week starts on' }),
    summaryMarkdown: z.string(),
    generatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Summary' });

function serializeSummary(summary: AiSummary): z.input<typeof summaryView> {
  return {
    id: summary.id,
    weekStartDate: isoDate(summary.weekStartDate),
    summaryMarkdown: summary.summaryMarkdown,
    generatedAt: summary.generatedAt.toISOString(),
  };
}

const runBody = z.strictObject({
  weekStartDate: z
    .string()
    .refine(isWeekStartDate, 'a Monday as YYYY-MM-DD (ISO weeks start on Monday)')
    .optional()
    .meta({ description: 'Default: the last full ISO week (UTC)', example: '2026-11-16' }),
});

const runView = z.object({ workflowId: z.string(), weekStartDate: z.iso.date() }).meta({ id: 'SummaryRun' });

export function summariesRouter(deps: AppDeps): Router {
  const { db, temporal, config } = deps;
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/v1/summaries',
      operationId: 'listSummaries',
      tag: 'summaries',
      summary: "The caller's weekly AI summaries, newest week first",
      description:
        'One summary per ISO week, written by the weekly-ai-summary schedule. Pass nextCursor back as cursor ' + 'for the next page.',
      query: listQuery,
      responses: { 200: { description: 'A page of summaries', schema: pageView(summaryView) } },
      problems: [404],
    },
    async (req, res, { query }) => {
      const rows = await db.aiSummary.findMany({
        where: { userId: callerIdOf(req) },
        ...pageArgs(query),
        orderBy: [{ weekStartDate: 'desc' }, { id: 'desc' }],
      });
      res.json(toPage(rows, query, serializeSummary));
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/v1/admin/summaries/run',
      operationId: 'runWeeklySummaries',
      tag: 'admin',
      summary: 'Operator: summarise one week now',
      description:
        'Starts the weekly summary run for the week (every active user with activity gets one summary). While ' +
        'that week is running, a repeat answers the same run; afterwards it summarises only who is still missing.',
      body: runBody,
      responses: { 202: { description: 'The run of that week', schema: runView } },
      problems: [422],
    },
    async (req, res, { body }) => {
      const now = new Date();
      const weekStartDate = body.weekStartDate ?? previousWeekStart(now);
      const target = { action: 'summary_run', targetKind: 'summary_week', targetId: weekStartDate } as const;
      const handle = await audited(db, req, target, async () => {
        // Summaries are written once and never rewritten: summarising a week still in progress would freeze it half-told.
        if (!weekHasEnded(weekStartDate, now)) {
          throw new HttpProblem(422, `The week of ${weekStartDate} has not ended yet`, { title: 'Week not over' });
        }
        return temporal.workflow.start<typeof weeklySummaryRunWorkflow>('weeklySummaryRunWorkflow', {
          workflowId: workflowIds.summaryRun(weekStartDate),
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          args: [{ weekStartDate, concurrency: config.SUMMARY_CONCURRENCY, pageSize: config.SUMMARY_PAGE_SIZE }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowExecutionTimeout: summaryRunTimeout,
          typedSearchAttributes: [{ key: searchAttributes.kind, value: 'summary' }],
        });
      });
      res.status(202).json({ workflowId: handle.workflowId, weekStartDate });
    },
  );

  return router;
}
