import { ActivityFailure, ApplicationFailure, type RetryPolicy } from '@temporalio/common';
import { allHandlersFinished, condition, log, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { hasReached } from '../src/domain/reach.js';
import { rowFailedType } from '../src/domain/status.js';
import type { ProviderErrorKind } from '../src/providers/errors.js';
import {
  abortRefusedType, notParkedType, operatorUpdate, progressQuery, searchAttributes, type OperatorDecision,
  type SagaProgress, type WorkflowKind,
} from './definitions.js';

// The loop every funding saga shares: run a step; when it fails for good (a non-retryable failure, or its
// retries ran out) park — FundflowNeedsOperator=true, the step and reason in progressQuery — until an operator
// signals retry (run the step again) or abort (the saga compensates and ends failed). A provider's `rejected`
// answer at a step where it is a business outcome (insufficient funds, bad address) does not park: the step
// throws StepRejected and the saga compensates at once.

/** Provider error kinds that no retry can fix; activities throw them as ApplicationFailure type `Provider<kind>`. */
const finalKinds = ['rejected', 'invalid_request', 'not_found', 'conflict', 'auth'] as const satisfies readonly ProviderErrorKind[];
export const nonRetryableProviderTypes: string[] = finalKinds.map((kind) => `Provider${kind}`);

/** Retries for calls to a provider: transient failures retry with backoff, then the step parks. */
export const providerRetry: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  maximumAttempts: 6,
  nonRetryableErrorTypes: nonRetryableProviderTypes,
};

/** Retries for our own database writes: a restarting PostgreSQL should not need an operator. */
export const databaseRetry: RetryPolicy = {
  initialInterval: '500 milliseconds',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  maximumAttempts: 10,
  nonRetryableErrorTypes: ['TransitionError'],
};

/** The operator ended a parked saga: compensate and fail with this reason. */
export class SagaAborted extends Error {
  override name = 'SagaAborted';
  constructor(readonly step: string, readonly reason: string) {
    super(`aborted by an operator at ${step}: ${reason}`);
  }
}

/** A provider refused the step for good as a business outcome (funds, address, ...): compensate, do not park. */
export class StepRejected extends Error {
  override name = 'StepRejected';
  constructor(readonly step: string, readonly reason: string) {
    super(`${step} rejected: ${reason}`);
  }
}

/** A step noticed that the movement it waits for ended failed at the provider (not a call failure). */
export class MovementFailed extends Error {
  override name = 'MovementFailed';
  constructor(readonly step: string, readonly reason: string) {
    super(`${step} failed: ${reason}`);
  }
}

/**
 * A step found its row already `failed` (a run replayed or reset by an operator after the saga had ended): the
 * money was given back then, so the run ends `failed` at once and compensates nothing.
 */
export class RowEnded extends Error {
  override name = 'RowEnded';
  constructor(readonly step: string, readonly reason: string) {
    super(`${step}: ${reason}`);
  }
}

function failureReason(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

function failureType(error: unknown): string | undefined {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause.type ?? undefined : undefined;
}

/** Where a step's money movement stands at the provider, as an operator's abort needs to know it. */
export type MovementAtProvider = 'absent' | 'pending' | 'complete' | 'failed' | 'unknown';

/**
 * How a step's money movement is read at the provider, so that an operator's abort never compensates money that
 * moved (or may have): abort is allowed only when the movement never started or failed for good.
 */
export interface MovementCheck {
  read: () => Promise<MovementAtProvider>;
  /**
   * The step starts the movement: a provider's definite refusal of the call (rejected, invalid request, auth)
   * proves it never started, whatever `read` can tell.
   */
  starts?: boolean;
}

/** Start steps whose provider offers no lookup by our key: only the provider's refusal proves nothing moved. */
export const unreadable: MovementCheck = { read: async () => 'unknown', starts: true };

export interface StepOptions {
  /** A provider `rejected` at this step is the business outcome (throws StepRejected) rather than a park. */
  rejectionIsFinal?: boolean;
  /** The money movement this step starts or waits for; steps that move no money leave it out. */
  movement?: MovementCheck;
}

/** Failure types with which a provider refused a call outright: the call had no effect. */
const refusedTypes = ['Providerrejected', 'Providerinvalid_request', 'Providerauth'];

interface ParkedMovement {
  check: MovementCheck;
  failureType: string | undefined;
}

type Machine<S extends string> = { readonly [K in S]: readonly S[] };

export class Saga<S extends string> {
  private readonly progress: SagaProgress;
  private decision: 'retry' | 'abort' | undefined;
  private parkedMovement: ParkedMovement | undefined;
  private started = false;

  /**
   * Registers progressQuery and operatorUpdate. Search attributes are written from the first `begin` or
   * `transition` on: a run whose accept step refused the request never shows a status it never had. With the
   * status machine, transitions never move the published status backwards (see `transition`).
   */
  constructor(
    private readonly kind: WorkflowKind,
    private userId: string,
    status: S,
    private readonly machine?: Machine<S>,
  ) {
    this.progress = { status };
    setHandler(progressQuery, () => this.progress);
    setHandler(operatorUpdate, (decision) => this.decide(decision), {
      validator: (_decision: OperatorDecision) => {
        if (!this.progress.parked) throw ApplicationFailure.create({ type: notParkedType, message: 'nothing is parked', nonRetryable: true });
      },
    });
  }

  get status(): S {
    return this.progress.status as S;
  }

  /** The request was accepted and its row is in `status`; `userId` when accept learned whose it is. */
  begin(status: S, userId?: string): void {
    this.started = true;
    if (userId) this.userId = userId;
    this.progress.status = status;
    this.publish();
  }

  /**
   * Records a transition the step's activity has written. A run that resumes a row further along replays
   * earlier steps as no-ops; their transitions never move the published status backwards.
   */
  transition(status: S): void {
    if (!this.started) return this.begin(status);
    const reached = this.machine ? hasReached(this.machine, this.status, status) : this.status === status;
    if (reached) return;
    this.progress.status = status;
    this.publish();
  }

  /**
   * Runs `run` until it succeeds, parking on each failure for good until an operator decides. Workflow-level
   * errors (SagaAborted, StepRejected, MovementFailed thrown by `run`) pass through untouched; a row found
   * `failed` throws RowEnded.
   */
  async step<T>(name: string, run: () => Promise<T>, options: StepOptions = {}): Promise<T> {
    for (;;) {
      try {
        return await run();
      } catch (error) {
        if (!(error instanceof ActivityFailure)) throw error;
        const reason = failureReason(error);
        const type = failureType(error);
        if (type === rowFailedType) throw new RowEnded(name, reason);
        if (options.rejectionIsFinal && type === 'Providerrejected') throw new StepRejected(name, reason);
        await this.park(name, reason, options.movement && { check: options.movement, failureType: type });
      }
    }
  }

  /**
   * Waits for an operator after `step` failed for good; returns on retry, throws SagaAborted on abort. `movement`
   * is the money movement the step left behind, which an abort must find absent or failed at the provider.
   */
  async park(step: string, reason: string, movement?: ParkedMovement): Promise<void> {
    this.progress.parked = { step, reason, since: new Date().toISOString() };
    this.parkedMovement = movement;
    this.publish();
    log.warn('saga parked for an operator', { step, reason });
    await condition(() => this.decision !== undefined);
    const action = this.decision;
    this.decision = undefined;
    this.parkedMovement = undefined;
    this.progress.parked = undefined;
    this.publish();
    log.info('operator decided', { step, action });
    if (action === 'abort') throw new SagaAborted(step, reason);
  }

  /** The operator's update: a retry always goes through; an abort only when no money moved at the parked step. */
  private async decide({ action, note, operator }: OperatorDecision): Promise<{ step: string; action: 'retry' | 'abort' }> {
    const step = this.progress.parked!.step;
    if (action === 'abort') {
      const refusal = await this.abortRefusal(step);
      if (refusal) {
        log.warn('operator abort refused', { step, operator, note, refusal });
        throw ApplicationFailure.create({ type: abortRefusedType, message: refusal, nonRetryable: true });
      }
    }
    log.info('operator decision accepted', { step, action, operator, note });
    this.decision = action;
    return { step, action };
  }

  private async abortRefusal(step: string): Promise<string | undefined> {
    const movement = this.parkedMovement;
    if (!movement) return undefined;
    if (movement.check.starts && movement.failureType && refusedTypes.includes(movement.failureType)) return undefined;
    let state: MovementAtProvider;
    try {
      state = await movement.check.read();
    } catch (error) {
      return `the money movement of ${step} could not be read at the provider (${failureReason(error)}): retry the step, or abort once it can be read`;
    }
    if (state === 'absent' || state === 'failed') return undefined;
    if (state === 'unknown') {
      return `the money movement of ${step} may exist at the provider (the call failed without an answer): retry the step, which finds it by its idempotency key`;
    }
    return `the money movement of ${step} is ${state} at the provider: aborting would compensate money that moved; retry the step instead`;
  }

  private publish(): void {
    if (!this.started) return;
    upsertSearchAttributes([
      { key: searchAttributes.kind, value: this.kind },
      { key: searchAttributes.status, value: this.progress.status },
      { key: searchAttributes.userId, value: this.userId },
      { key: searchAttributes.needsOperator, value: this.progress.parked !== undefined },
    ]);
  }
}

/** The saga ended its business flow early: these are compensated, anything else is a bug. */
export function isSagaEnd(error: unknown): error is SagaAborted | StepRejected | MovementFailed {
  return error instanceof SagaAborted || error instanceof StepRejected || error instanceof MovementFailed;
}

/** Ends a run whose accept step refused the request, once the accept update has delivered that answer. */
export async function refused(): Promise<undefined> {
  await condition(allHandlersFinished);
  return undefined;
}

/** A memoized start: the accept update and the workflow body share one run of the accept step. */
export function once<T>(run: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= run());
}

export type MovementState = 'pending' | 'complete' | 'failed';

/**
 * A money movement that must complete (funding the broker, a compensation's reversal): start it, poll it until it
 * settles, and when the provider reports it failed, park; an operator's retry starts a new movement under a new
 * key (the failed one is final at the provider, so no double effect).
 */
export async function completeMovement<M>(
  saga: Saga<string>,
  movement: {
    step: string;
    start: (key: string) => Promise<M>;
    read: (started: M) => Promise<M>;
    state: (m: M) => MovementState;
    reason: (m: M) => string;
  },
): Promise<M> {
  for (let round = 0; ; round++) {
    const key = round === 0 ? movement.step : `${movement.step}-${round}`;
    const started = await saga.step(movement.step, () => movement.start(key), { movement: unreadable });
    const check: MovementCheck = { read: async () => movement.state(await movement.read(started)) };
    const settled =
      movement.state(started) === 'pending'
        ? await saga.step(
            `${movement.step}:wait`,
            () => pollUntil(() => movement.read(started), (m) => movement.state(m) !== 'pending'),
            { movement: check },
          )
        : started;
    if (movement.state(settled) === 'complete') return settled;
    await saga.park(movement.step, movement.reason(settled), { check, failureType: undefined });
  }
}

/** Wait between two polls of a provider movement: quick at first (most settle in seconds), then up to 5 minutes. */
export function pollDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** Math.min(attempt, 10), 5 * 60_000);
}

/**
 * Polls `read` until `settled` says so, sleeping between polls on workflow timers; `wake` (a signal's flag) ends
 * a sleep early. Each poll is one activity, so a lost webhook only costs latency.
 */
export async function pollUntil<T>(read: () => Promise<T>, settled: (value: T) => boolean, wake?: () => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await read();
    if (settled(value)) return value;
    await condition(() => wake?.() ?? false, pollDelayMs(attempt));
  }
}
