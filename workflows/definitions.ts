import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Refusal } from '../src/domain/refusals.js';

// Everything a workflow shares with its callers (API, operators, tests): search attributes, signals, queries and
// workflow ids. Plain definitions only, safe to import from workflow code and from Node alike.

/** Custom search attributes, registered with the server by scripts/temporal.ts and the test helper. */
export const searchAttributes = {
  kind: defineSearchAttributeKey('FundflowKind', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('FundflowStatus', SearchAttributeType.KEYWORD),
  userId: defineSearchAttributeKey('FundflowUserId', SearchAttributeType.KEYWORD),
  needsOperator: defineSearchAttributeKey('FundflowNeedsOperator', SearchAttributeType.BOOL),
} as const;

/** `Name=Type` pairs as `temporal server start-dev --search-attribute` wants them. */
export const searchAttributeFlags = Object.values(searchAttributes).map(
  (key) => `${key.name}=${key.type === SearchAttributeType.BOOL ? 'Bool' : 'Keyword'}`,
);

export type WorkflowKind = 'kyc' | 'wallet' | 'deposit' | 'withdrawal' | 'order' | 'summary';

/** Workflow ids derive from the business key, so a second start for the same thing finds the first run. */
export const workflowIds = {
  kyc: (userId: string) => `kyc-${userId}`,
  wallet: (userId: string, chain: string) => `wallet-${userId}-${chain}`,
  deposit: (chain: string, txHash: string) => `deposit-${chain}-${txHash.toLowerCase()}`,
  withdrawal: (withdrawalId: string) => `withdrawal-${withdrawalId}`,
  order: (orderId: string) => `order-${orderId}`,
  summaryRun: (weekStartDate: string) => `summary-run-${weekStartDate}`,
  summary: (userId: string, weekStartDate: string) => `summary-${userId}-${weekStartDate}`,
} as const;

/**
 * The longest a weekly summary run may take, continue-as-new chain included (its workflowExecutionTimeout, set by
 * the schedule and the on-demand route): a week stuck on a dependency fails visibly before the next one is due,
 * instead of keeping the schedule's overlap SKIP skipping every later week. 1,000 users take about 34 s here.
 */
export const summaryRunTimeout = '1 day';

/** The step a saga is on, for operators and the API. */
export interface SagaProgress {
  status: string;
  /** Set while a step has failed for good and the saga waits for an operator to retry or abort. */
  parked?: { step: string; reason: string; since: string };
}

export const progressQuery = defineQuery<SagaProgress>('progress');

/** An operator's decision for a parked saga: retry the failed step, or abort (compensate and fail). */
export interface OperatorDecision {
  action: 'retry' | 'abort';
  /**
   * The parked step the operator decided on (progressQuery's `parked.step`): a decision for another step, or
   * when nothing is parked, is refused by the update's validator (StaleDecision / NotParked). Optional: a
   * decision without it applies to whatever step is parked.
   */
  step?: string;
  note?: string;
  /** Who decided (the operator's token subject), for the run's history. */
  operator?: string;
}

/**
 * The operator's decision, as an update so that it is answered: rejected by its validator when nothing is parked
 * (notParkedType) or the saga is parked at another step than the decision names (staleDecisionType), failed
 * (abortRefusedType, with the reason) when an abort would compensate money that moved or may have moved; else
 * the step decided and the action taken.
 */
export const operatorUpdate = defineUpdate<{ step: string; action: 'retry' | 'abort' }, [OperatorDecision]>('operator');
export const notParkedType = 'NotParked';
export const staleDecisionType = 'StaleDecision';
export const abortRefusedType = 'AbortRefused';

// `operator` is the deciding operator's token subject: the run ignores it, Temporal's history keeps who decided.
export const kycDecisionSignal = defineSignal<[{ decision: 'approved' | 'rejected'; reason?: string; operator?: string }]>('kycDecision');

export const cancelOrderSignal = defineSignal('cancelOrder');

/**
 * News about a deposit's inbound transfer (a later Circle webhook for the same tx): wakes the deposit saga's
 * wait early. Only a hint: the saga reads the transfer from Circle itself, and polls when no news comes.
 */
export const depositTransferUpdate =
  defineSignal<[{ transferId: string; state: 'pending' | 'complete' | 'failed' }]>('depositTransferUpdate');

/**
 * The answer of a saga's `accept` update, run with update-with-start by the API: the first step (validate,
 * insert the row, reserve money) happens inside the workflow, so nothing is accepted without a durable run
 * behind it, and the API still answers synchronously (202 with the row, or the refusal as a problem).
 */
export type AcceptResult = { accepted: true; id: string } | { accepted: false; refusal: Refusal };

export const acceptUpdate = defineUpdate<AcceptResult>('accept');
