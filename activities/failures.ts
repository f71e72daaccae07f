import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { providerErrors } from '../src/metrics.js';
import { ProviderError } from '../src/providers/errors.js';
import { RowFailed, rowFailedType, TransitionError } from '../src/domain/status.js';

// The one mapping from our errors to Temporal failures for every activity: a ProviderError keeps its
// kind as the failure type (`Provider<kind>`), retryable or not as the provider said; a TransitionError (the row
// is somewhere this step may not start from) never heals by retrying.

export function toFailure(error: unknown): unknown {
  if (error instanceof ProviderError) {
    const activity = Context.current(); // toFailure runs inside activities only
    const labels = {
      provider: error.provider,
      operation: activity.info.activityType,
      kind: error.kind,
      retryable: String(error.retryable),
    };
    providerErrors.inc(labels);
    // The activity context log carries workflowId, runId and activityType into the worker's JSON log.
    activity.log.warn(`provider failure: ${error.message}`, { ...labels, ...error.details });
    return ApplicationFailure.create({
      message: `${error.provider}: ${error.message}`,
      type: `Provider${error.kind}`,
      nonRetryable: !error.retryable,
      details: [{ provider: error.provider, kind: error.kind, ...error.details }],
      // Alpaca's Retry-After: the next attempt waits at least that long instead of the policy's backoff.
      nextRetryDelay: error.kind === 'rate_limited' && error.details.retryAfterMs ? error.details.retryAfterMs : undefined,
      cause: error,
    });
  }
  if (error instanceof TransitionError) return ApplicationFailure.nonRetryable(error.message, 'TransitionError');
  if (error instanceof RowFailed) return ApplicationFailure.nonRetryable(error.message, rowFailedType);
  return error;
}

/** Runs one activity body, translating its errors (see toFailure). */
export async function translated<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toFailure(error);
  }
}

/** The idempotency key of one step of the calling workflow: the same on every retry and in every run of its id. */
export function stepKey(step: string): string {
  const workflowId = Context.current().info.workflowExecution?.workflowId;
  if (!workflowId) throw new Error(`step ${step} runs outside a workflow: no key to derive`);
  return `${workflowId}:${step}`;
}

/** Failure type of a saga's wait whose movement is still pending at the provider: retried, never parked. */
export const stillPendingType = 'StillPending';

/** `wait: true` on a read: the saga waits until the movement settles (see settledOr); without it, one read. */
export interface Waiting {
  wait?: boolean;
}

export const byState = (movement: { state: string }): boolean => movement.state === 'pending';
export const byStatus = (movement: { status: string }): boolean => movement.status === 'pending';

/**
 * A read the saga waits on (`wait: true`): while the movement is pending the attempt fails retryably, so the wait
 * is the activity's retry backoff and adds no workflow history per poll. BENIGN: a pending movement is no error
 * (logged at debug, not counted as a failure).
 */
export function settledOr<T>(wait: boolean | undefined, value: T, pending: (value: T) => boolean): T {
  if (wait && pending(value)) {
    throw ApplicationFailure.create({
      message: 'still pending at the provider',
      type: stillPendingType,
      category: ApplicationFailureCategory.BENIGN,
    });
  }
  return value;
}
