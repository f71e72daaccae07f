import { randomUUID } from 'node:crypto';
import {
  isGrpcServiceError,
  ServiceError,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import type { Config } from '../config.js';
import { acceptUpdate, searchAttributes, type AcceptResult } from '../../workflows/definitions.js';
import type { RefusalCode } from '../domain/refusals.js';
import { HttpProblem } from './problem.js';

// The one way the API starts a saga: update-with-start of the workflow's `accept` update. The first step runs
// inside the workflow (validate, write the row, reserve money, in one transaction), so nothing is accepted
// without a durable run behind it, and the request still gets its answer synchronously.
// Workflows are started by type name so that the API never loads workflow code.

export type SagaWorkflowType = 'kycWorkflow' | 'walletWorkflow' | 'depositWorkflow' | 'withdrawalWorkflow' | 'orderWorkflow';

export interface SagaStart {
  workflowType: SagaWorkflowType;
  /** From `workflowIds` in workflows/definitions.ts: the business key, so a repeat finds the running saga. */
  workflowId: string;
  input: unknown;
}

export interface AcceptDeps {
  temporal: Client;
  config: Config;
}

/** What the request says about the money, as the Temporal UI shows a run: a memo and a one-line summary. */
export function describeStart(input: unknown): { memo: Record<string, string>; summary: string } | undefined {
  const i = input as Record<string, unknown>;
  const memo: Record<string, string> = {};
  for (const key of [
    'userId',
    'amountUsd',
    'quantity',
    'side',
    'assetType',
    'symbol',
    'basketId',
    'chain',
    'txHash',
    'targetChain',
    'targetAddress',
  ] as const) {
    if (typeof i[key] === 'string') memo[key] = i[key];
  }
  if (memo.targetChain) return { memo, summary: `Withdraw ${memo.amountUsd} USD as USDC to ${memo.targetChain} ${memo.targetAddress}` };
  if (memo.side) {
    const size = memo.quantity ? `${memo.quantity} units` : `${memo.amountUsd ?? ''} USD`;
    return { memo, summary: `${memo.side} ${size} of ${memo.symbol ?? 'basket'} (${memo.assetType})` };
  }
  // A deposit's input names only its transaction: the amounts are Circle's, read by the saga.
  if (memo.txHash) return { memo, summary: `Deposit on ${memo.chain}, tx ${memo.txHash}` };
  return Object.keys(memo).length ? { memo, summary: '' } : undefined;
}

/** The start half of update-with-start, as every saga is started (the test stack's `accept` too). */
export function startOperation(deps: Pick<AcceptDeps, 'config'>, start: SagaStart) {
  const described = describeStart(start.input);
  return new WithStartWorkflowOperation(start.workflowType, {
    workflowId: start.workflowId,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    args: [start.input],
    memo: described?.memo,
    staticSummary: described?.summary || undefined,
    // A repeat while the saga runs joins it; a repeat after it ended starts a run whose accept finds the row.
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

// gRPC DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE: Temporal is slow, busy or away; anything else is a bug.
const transientGrpcCodes = new Set([4, 8, 14]);
const failedPrecondition = 9;

/**
 * The server refuses updates while the run's workflow task is being retried (its worker died or failed it): a
 * moment later, with a worker back, the same request goes through.
 */
function isWorkflowTaskRetrying(error: unknown): boolean {
  // Update-with-start hands back the gRPC error itself; other calls wrap it in a ServiceError.
  const grpc = isGrpcServiceError(error)
    ? error
    : error instanceof ServiceError && isGrpcServiceError(error.cause)
      ? error.cause
      : undefined;
  return grpc?.code === failedPrecondition && /workflow task in failed state/i.test(`${grpc.message} ${grpc.details}`);
}

function unavailable(error: unknown): HttpProblem | undefined {
  // The accept step itself failed for good (a provider it asks, e.g. the broker's price for a sell, refused or
  // is away): nothing was written, and the same request can be repeated later.
  if (error instanceof WorkflowUpdateFailedError) {
    return new HttpProblem(503, 'The request could not be checked with a provider right now; repeat it later (it is safe to)', {
      headers: { 'Retry-After': '5' },
    });
  }
  const transient =
    error instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
    (error instanceof ServiceError && isGrpcServiceError(error.cause) && transientGrpcCodes.has(error.cause.code)) ||
    isWorkflowTaskRetrying(error);
  if (transient) {
    return new HttpProblem(503, 'The request could not be accepted in time; repeat it (it is safe to)', {
      headers: { 'Retry-After': '1' },
    });
  }
  return undefined;
}

/**
 * Whether the id's last run ended abandoned for manual settlement: an operator aborted its compensation, so its
 * row stays mid-flow for them to settle by hand, and the closed run keeps FundflowNeedsOperator=true
 * (Saga.abandon). Starting the saga again would walk that row once more: a repeated request or the next webhook
 * must not.
 */
export async function isAbandoned(deps: AcceptDeps, workflowId: string): Promise<boolean> {
  try {
    const run = await deps.temporal.workflow.getHandle(workflowId).describe();
    return run.status.name !== 'RUNNING' && run.typedSearchAttributes.get(searchAttributes.needsOperator) === true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw unavailable(error) ?? error;
  }
}

const abandoned = () =>
  new HttpProblem(409, 'This saga was abandoned for an operator to settle by hand; it is not started again', {
    title: 'Settled by hand',
  });

/**
 * Starts (or joins) the saga and waits for its `accept` step: the accepted row's id, or the saga's refusal as
 * an HttpProblem (422 insufficient buying power, 409, ...). Each request sends a fresh update id: the
 * workflow runs its accept step once and answers every later update with that result, while a fixed id would
 * make the server replay a *closed* run's old answer (a rejected KYC could never be submitted again, a deposit
 * reported before Circle indexed it would stay 404 forever).
 */
export async function startWithAccept(deps: AcceptDeps, start: SagaStart): Promise<string> {
  if (await isAbandoned(deps, start.workflowId)) throw abandoned();
  let result: AcceptResult;
  try {
    result = await deps.temporal.withDeadline(Date.now() + deps.config.API_ACCEPT_TIMEOUT_SECONDS * 1000, () =>
      deps.temporal.workflow.executeUpdateWithStart(acceptUpdate, {
        updateId: randomUUID(),
        startWorkflowOperation: startOperation(deps, start),
      }),
    );
  } catch (error) {
    throw unavailable(error) ?? error;
  }
  if (!result.accepted) throw refusalProblem(result);
  return result.id;
}

/** How each refusal of an accept step is answered over HTTP: the API's one mapping of domain outcomes. */
const refusalAnswers: Record<RefusalCode, { status: 403 | 404 | 409 | 422; title: string }> = {
  not_found: { status: 404, title: 'Not found' },
  kyc_required: { status: 403, title: 'KYC not approved' },
  kyc_already_approved: { status: 409, title: 'KYC already approved' },
  decision_in_progress: { status: 409, title: 'Conflict' },
  id_taken: { status: 409, title: 'Conflict' },
  wallet_not_created: { status: 409, title: 'Wallet not created' },
  insufficient_funds: { status: 422, title: 'Insufficient buying power' },
  daily_limit: { status: 422, title: 'Daily withdrawal limit' },
  no_position: { status: 422, title: 'No position to sell' },
  unknown_basket: { status: 422, title: 'Unknown basket' },
  amount_too_small: { status: 422, title: 'Amount too small' },
};

/** A legacy answer: workers older than domain refusals (2026-12) answered HTTP problems; kept while they may. */
type LegacyRefusal = { accepted: false; problem: { status: 403 | 404 | 409 | 422; title: string; detail: string } };

function refusalProblem(result: Extract<AcceptResult, { accepted: false }> | LegacyRefusal): HttpProblem {
  if ('problem' in result) return new HttpProblem(result.problem.status, result.problem.detail, { title: result.problem.title });
  const { status, title } = refusalAnswers[result.refusal.code];
  return new HttpProblem(status, result.refusal.detail, { title });
}

/**
 * Hands work to a saga without waiting for its first step to finish (webhooks must answer fast): returns once
 * the run has durably accepted the update, or 'abandoned' (nothing started) when its last run was abandoned for
 * manual settlement.
 */
export async function startWithoutWaiting(deps: AcceptDeps, start: SagaStart): Promise<'handed' | 'abandoned'> {
  if (await isAbandoned(deps, start.workflowId)) return 'abandoned';
  try {
    await deps.temporal.withDeadline(Date.now() + deps.config.API_ACCEPT_TIMEOUT_SECONDS * 1000, () =>
      deps.temporal.workflow.startUpdateWithStart(acceptUpdate, {
        updateId: randomUUID(),
        waitForStage: 'ACCEPTED',
        startWorkflowOperation: startOperation(deps, start),
      }),
    );
  } catch (error) {
    throw unavailable(error) ?? error;
  }
  return 'handed';
}
