import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowExecutionInfo } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import {
  abortRefusedType,
  notParkedType,
  operatorUpdate,
  progressQuery,
  searchAttributes,
  staleDecisionType,
  workflowIds,
  type WorkflowKind,
} from '../../../workflows/definitions.js';
import type { Config } from '../../config.js';
import { depositTransitions, kycTransitions, orderTransitions, walletTransitions, withdrawalTransitions } from '../../domain/status.js';
import type { AppDeps } from '../app.js';
import { audited, auditEntryView, serializeAuditEntry, type AuditTargetKind } from '../audit.js';
import { findOwned } from '../owned.js';
import { HttpProblem } from '../problem.js';
import { route } from '../route.js';
import { pageArgs, toPage } from '../pagination.js';
import { id, listQuery } from '../schemas.js';
import { pageView } from '../serializers.js';
import type { InboundTransfer } from '../../generated/prisma/client.js';
import { formatUsdc } from '../../domain/money.js';
import { reconciliationRoutes } from './admin-reconciliation.js';
import { webhookEndpointRoutes } from './admin-webhooks.js';
import { movementTimelineRoutes } from './admin-timeline.js';
import { temporalRunUrl } from '../temporal-ui.js';

// Operators' tools: the runs Temporal's visibility knows, filtered by fundflow's search attributes, and the two
// decisions a parked saga waits for (operatorUpdate). What a run is doing stays in Temporal; these routes only
// find it and deliver the decision, and answer the saga's refusal of an abort that would move money twice.

/** The statuses each kind publishes as FundflowStatus: the schema's enums (summaries publish none). */
const statusesOf: Record<WorkflowKind, readonly string[]> = {
  kyc: Object.keys(kycTransitions),
  wallet: Object.keys(walletTransitions),
  deposit: Object.keys(depositTransitions),
  withdrawal: Object.keys(withdrawalTransitions),
  order: Object.keys(orderTransitions),
  summary: [],
};
const kinds = Object.keys(statusesOf) as [WorkflowKind, ...WorkflowKind[]];
const statuses = [...new Set(Object.values(statusesOf).flat())] as [string, ...string[]];

const workflowsQuery = z
  .object({
    kind: z.enum(kinds).optional(),
    status: z.enum(statuses).optional(),
    needsOperator: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    userId: id.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    pageToken: z.string().max(200).optional(),
  })
  .refine((q) => !q.kind || !q.status || statusesOf[q.kind].includes(q.status), {
    path: ['status'],
    message: 'not a status of this kind',
  });
type WorkflowsQuery = z.output<typeof workflowsQuery>;

/** A string literal of Temporal's SQL-like list filter; inputs are validated already, this keeps them inert. */
function literal(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function visibilityQuery(filter: Omit<WorkflowsQuery, 'limit' | 'pageToken'>): string {
  // Only runs that published a kind: a request the saga refused at accept never had one.
  const clauses = [`${searchAttributes.kind.name} IS NOT NULL`];
  if (filter.kind) clauses.push(`${searchAttributes.kind.name} = ${literal(filter.kind)}`);
  if (filter.status) clauses.push(`${searchAttributes.status.name} = ${literal(filter.status)}`);
  if (filter.userId) clauses.push(`${searchAttributes.userId.name} = ${literal(filter.userId)}`);
  if (filter.needsOperator !== undefined) clauses.push(`${searchAttributes.needsOperator.name} = ${filter.needsOperator}`);
  return clauses.join(' AND ');
}

// The SDK's list() pages internally and exposes no resumable token, so ours counts the runs already shown.
// Visibility is eventually consistent anyway: a page is a view of the moment, not a snapshot.
function offsetOf(pageToken: string | undefined): number {
  if (pageToken === undefined) return 0;
  const offset = Number(Buffer.from(pageToken, 'base64url').toString());
  if (!Number.isSafeInteger(offset) || offset <= 0) {
    throw HttpProblem.invalid('The pageToken is not one this API returned', [{ path: 'query.pageToken', message: 'unknown page token' }]);
  }
  return offset;
}

const pageTokenOf = (offset: number): string => Buffer.from(String(offset)).toString('base64url');

const runView = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    type: z.string(),
    kind: z.enum(kinds).nullable(),
    status: z.string().nullable().meta({ description: 'FundflowStatus: the schema enum value of the row' }),
    userId: z.string().nullable(),
    needsOperator: z.boolean(),
    startTime: z.iso.datetime(),
    closeTime: z.iso.datetime().optional(),
    executionStatus: z.string().meta({ example: 'RUNNING', description: "Temporal's execution status" }),
    temporalUiUrl: z.url(),
  })
  .meta({ id: 'WorkflowRun' });

const runsPageView = z.object({ items: z.array(runView), nextPageToken: z.string().nullable() }).meta({ id: 'WorkflowRunPage' });

function serializeRun(config: Config, run: WorkflowExecutionInfo): z.input<typeof runView> {
  const attributes = run.typedSearchAttributes;
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    type: run.type,
    kind: (attributes.get(searchAttributes.kind) as WorkflowKind | undefined) ?? null,
    status: attributes.get(searchAttributes.status) ?? null,
    userId: attributes.get(searchAttributes.userId) ?? null,
    needsOperator: attributes.get(searchAttributes.needsOperator) ?? false,
    startTime: run.startTime.toISOString(),
    ...(run.closeTime ? { closeTime: run.closeTime.toISOString() } : {}),
    executionStatus: run.status.name,
    temporalUiUrl: temporalRunUrl(config, run.workflowId, run.runId),
  };
}

/** The resources whose sagas park, and how a row id names its run. */
const parkable = {
  deposits: {
    what: 'Deposit',
    workflowId: async ({ db }: AppDeps, depositId: string) => {
      const row = await db.deposit.findUnique({ where: { id: depositId }, select: { chain: true, txHash: true } });
      return row && workflowIds.deposit(row.chain, row.txHash);
    },
  },
  withdrawals: {
    what: 'Withdrawal',
    workflowId: async ({ db }: AppDeps, withdrawalId: string) => {
      const row = await db.withdrawal.findUnique({ where: { id: withdrawalId }, select: { id: true } });
      return row && workflowIds.withdrawal(row.id);
    },
  },
  orders: {
    what: 'Order',
    workflowId: async ({ db }: AppDeps, orderId: string) => {
      const row = await db.order.findUnique({ where: { id: orderId }, select: { id: true } });
      return row && workflowIds.order(row.id);
    },
  },
} as const;

/** How the audit log names the target of a retry or abort. */
const auditKindOf = { deposits: 'deposit', withdrawals: 'withdrawal', orders: 'order' } as const satisfies Record<
  keyof typeof parkable,
  AuditTargetKind
>;

const decisionBody = z.strictObject({
  note: z.string().trim().min(1).max(500).optional(),
  step: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .meta({
      description:
        "Extension: the parked step the operator decided on (the run's `progress` query in the Temporal UI). " +
        'The saga refuses the decision (409) when it is parked at another step; without it, the step parked when ' +
        'the request arrives.',
    }),
});
const decisionView = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    status: z.string().meta({ description: 'The row status the run was parked at' }),
    step: z.string().meta({ description: 'The step the saga took the decision for' }),
    action: z.enum(['retry', 'abort']).meta({ description: 'What the saga does: runs the step again, or compensates and ends failed' }),
  })
  .meta({ id: 'OperatorDecision' });

const notWaiting = (what: string) =>
  new HttpProblem(409, `This ${what.toLowerCase()} is not waiting for an operator`, { title: 'Not waiting for an operator' });

export function adminRouter(deps: AppDeps): Router {
  const { config, temporal } = deps;
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/v1/admin/workflows',
      operationId: 'listWorkflowRuns',
      tag: 'admin',
      summary: 'Operator: runs by kind, status and whether they wait for an operator',
      description:
        'From Temporal visibility (FundflowKind, FundflowStatus, FundflowNeedsOperator, FundflowUserId) in its ' +
        'order (open runs first, then the most recently closed), each with a link to its history in the Temporal ' +
        'UI. Pass nextPageToken back as pageToken.',
      query: workflowsQuery,
      responses: { 200: { description: 'A page of runs', schema: runsPageView } },
    },
    async (_req, res, { query }) => {
      const offset = offsetOf(query.pageToken);
      const runs = temporal.workflow.list({
        query: visibilityQuery(query),
        pageSize: Math.min(offset + query.limit + 1, 1000),
      });
      const items: z.input<typeof runView>[] = [];
      let seen = 0;
      let more = false;
      for await (const run of runs) {
        if (seen++ < offset) continue;
        if (items.length === query.limit) {
          more = true;
          break;
        }
        items.push(serializeRun(config, run));
      }
      res.json({ items, nextPageToken: more ? pageTokenOf(offset + items.length) : null });
    },
  );

  /** The run of the row, when it is running and parked; 404 for no row, 409 for anything else. */
  async function parkedRun(resource: keyof typeof parkable, rowId: string) {
    const { what, workflowId: workflowIdOf } = parkable[resource];
    const workflowId = await findOwned(what, rowId, (rid) => workflowIdOf(deps, rid));
    let runId: string;
    try {
      const description = await temporal.workflow.getHandle(workflowId).describe();
      if (description.status.name !== 'RUNNING') throw notWaiting(what);
      runId = description.runId;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw notWaiting(what);
      throw error;
    }
    // Pinned to the run described: a decision never lands on a later run of the same id.
    const handle = temporal.workflow.getHandle(workflowId, runId);
    const progress = await handle.query(progressQuery);
    if (!progress.parked) throw notWaiting(what);
    return { handle, runId, status: progress.status, step: progress.parked.step };
  }

  for (const resource of Object.keys(parkable) as (keyof typeof parkable)[]) {
    const { what } = parkable[resource];
    for (const action of ['retry', 'abort'] as const) {
      route(
        router,
        {
          method: 'post',
          path: `/v1/admin/${resource}/:id/${action}`,
          operationId: `${action}Parked${what}`,
          tag: 'admin',
          summary:
            action === 'retry'
              ? `Operator: run the failed step of a parked ${what.toLowerCase()} again`
              : `Operator: give up a parked ${what.toLowerCase()} (extension): compensate and end it failed`,
          description:
            action === 'retry'
              ? 'Resumes a saga parked after a step failed for good (FundflowNeedsOperator=true). 409 when the run is not parked.'
              : 'Not in API.md. The saga compensates what the parked step had done and ends `failed` with the reason. ' +
                "409 when the run is not parked, or when the parked step's money movement exists at the provider (or " +
                'cannot be ruled out): the detail says why, and a retry is the way on.',
          body: decisionBody,
          responses: { 202: { description: 'Decision delivered to the saga', schema: decisionView } },
          problems: [409],
        },
        async (req, res, { body, params }) => {
          const target = { action, targetKind: auditKindOf[resource], targetId: params.id, details: body.note ? { note: body.note } : {} };
          const decided = await audited(deps.db, req, target, async () => {
            const { handle, runId, status, step } = await parkedRun(resource, params.id);
            let decided: { step: string; action: 'retry' | 'abort' };
            try {
              // The step the operator saw (or, without one, the step just read): the saga's validator refuses the
              // decision if the run has moved on since.
              decided = await handle.executeUpdate(operatorUpdate, {
                args: [{ action, step: body.step ?? step, operator: req.auth?.subject, ...(body.note ? { note: body.note } : {}) }],
              });
            } catch (error) {
              const failure = error instanceof WorkflowUpdateFailedError ? error.cause : undefined;
              if (failure instanceof ApplicationFailure && failure.type === abortRefusedType) {
                throw new HttpProblem(409, failure.message, { title: 'Abort refused' });
              }
              if (failure instanceof ApplicationFailure && failure.type === staleDecisionType) {
                throw new HttpProblem(409, failure.message, { title: 'Parked at another step' });
              }
              if (failure instanceof ApplicationFailure && failure.type === notParkedType) throw notWaiting(what);
              throw error;
            }
            return { workflowId: handle.workflowId, runId, status, step: decided.step, action: decided.action };
          });
          res.status(202).json(decided);
        },
      );
    }
  }

  route(
    router,
    {
      method: 'get',
      path: '/v1/admin/audit',
      operationId: 'listOperatorAudit',
      tag: 'admin',
      summary: 'Operator (extension): the operator audit log, newest first',
      description:
        "Not in API.md. One entry per operator action (KYC decision, retry, abort, summary run) with the operator's " +
        'token subject, the target and the outcome: `accepted`, `refused` with the reason the API or the saga gave ' +
        '(e.g. an abort refused with 409), or `failed` (our error; the effect is unknown). Append-only: the database ' +
        'refuses to change or remove an entry. Pass nextCursor back as cursor.',
      query: listQuery,
      responses: { 200: { description: 'A page of audit entries', schema: pageView(auditEntryView).meta({ id: 'OperatorAuditPage' }) } },
    },
    async (_req, res, { query }) => {
      const rows = await deps.db.operatorAuditEntry.findMany(pageArgs(query));
      res.json(toPage(rows, query, serializeAuditEntry));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/v1/admin/inbound-transfers',
      operationId: 'listInboundTransfers',
      tag: 'admin',
      summary: 'Operator (extension): every inbound transfer to a user wallet and what became of it, newest first',
      description:
        "Not in API.md. One row per Circle transfer: `deposit` (the transfer its transaction's deposit row was made " +
        'from), `held` (USDC that could not be that row, e.g. a second transfer in one transaction: for an operator ' +
        'to credit), `ignored` (not USDC: another token, the native coin, a token that only calls itself USDC; never ' +
        'credited), with the reason. Pass nextCursor back as cursor.',
      query: inboundTransfersQuery,
      responses: { 200: { description: 'A page of inbound transfers', schema: inboundTransfersPageView } },
    },
    async (_req, res, { query }) => {
      if (query.cursor !== undefined && !id.safeParse(query.cursor).success) {
        throw HttpProblem.invalid('The cursor is not one this API returned', [{ path: 'query.cursor', message: 'unknown cursor' }]);
      }
      const rows = await deps.db.inboundTransfer.findMany({
        where: query.disposition ? { disposition: query.disposition } : {},
        orderBy: [{ createdAt: 'desc' }, { circleTransferId: 'desc' }],
        take: query.limit + 1,
        ...(query.cursor ? { cursor: { circleTransferId: query.cursor }, skip: 1 } : {}),
      });
      const items = rows.slice(0, query.limit);
      res.json({
        items: items.map(serializeInboundTransfer),
        nextCursor: rows.length > query.limit ? (items.at(-1)?.circleTransferId ?? null) : null,
      });
    },
  );

  reconciliationRoutes(router, deps);
  webhookEndpointRoutes(router, deps);
  movementTimelineRoutes(router, deps);
  return router;
}

const inboundTransfersQuery = listQuery.extend({ disposition: z.enum(['deposit', 'held', 'ignored']).optional() });

const inboundTransferView = z
  .object({
    circleTransferId: z.string(),
    chain: z.enum(['ethereum', 'solana']),
    txHash: z.string(),
    walletId: z.guid(),
    userId: z.guid(),
    tokenId: z.string().meta({ description: "Circle's token id" }),
    tokenAddress: z.string().nullable().meta({ description: 'Contract / mint address; null for the native coin' }),
    tokenSymbol: z.string().nullable().meta({ description: 'As the token names itself: proves nothing' }),
    amount: z.string().meta({ description: "In the token's units", example: '25.5' }),
    disposition: z.enum(['deposit', 'held', 'ignored']),
    reason: z.string().nullable(),
    depositId: z.guid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'InboundTransfer' });

const inboundTransfersPageView = z
  .object({ items: z.array(inboundTransferView), nextCursor: z.string().nullable() })
  .meta({ id: 'InboundTransferPage' });

function serializeInboundTransfer(row: InboundTransfer): z.input<typeof inboundTransferView> {
  return {
    circleTransferId: row.circleTransferId,
    chain: row.chain,
    txHash: row.txHash,
    walletId: row.walletId,
    userId: row.userId,
    tokenId: row.tokenId,
    tokenAddress: row.tokenAddress,
    tokenSymbol: row.tokenSymbol,
    amount: formatUsdc(row.amount.toFixed()),
    disposition: row.disposition,
    reason: row.reason,
    depositId: row.depositId,
    createdAt: row.createdAt.toISOString(),
  };
}
