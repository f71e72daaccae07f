import { ActivityFailure, ApplicationFailure, type RetryPolicy } from '@temporalio/common';
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { hasReached } from '../src/domain/reach.js';
import { rowFailedType } from '../src/domain/status.js';
import { finalKinds } from '../src/providers/errors.js';
import {
  abortRefusedType,
  notParkedType,
  operatorUpdate,
  progressQuery,
  searchAttributes,
  staleDecisionType,
  type OperatorDecision,
  type SagaProgress,
  type WorkflowKind,
} from './definitions.js';

// The loop every funding saga shares: run a step; when it fails for good (a non-retryable failure, or its
// retries ran out) park — FundflowNeedsOperator=true, the step and reason in progressQuery — until an operator
// signals retry (run the step again) or abort (the saga compensates and ends failed). A provider's `rejected`
// answer at a step where it is a business outcome (insufficient funds, bad address) does not park: the step
// throws StepRejected and the saga compensates at once.

export const nonRetryableProviderTypes: string[] = finalKinds.map((kind) => `Provider${kind}`);

/** Retries for calls to a provider: transient failures retry with backoff, then the step parks. */
export const providerRetry: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  maximumAttempts: 6,
  nonRetryableErrorTypes: nonRetryableProviderTypes,
};

/**
 * Waiting for a provider movement to settle (the reads called with `wait: true`, which fail while it is pending):
 * the retries are the polls, quick at first, then every 5 minutes, for as long as the movement takes. No attempt
 * limit, so a provider outage (5xx, timeouts) keeps polling; a definite answer (rejected, not found, ...) still
 * fails the wait and parks.
 */
export const pollRetry: RetryPolicy = {
  initialInterval: '500 milliseconds',
  backoffCoefficient: 2,
  maximumInterval: '5 minutes',
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
  constructor(
    readonly step: string,
    readonly reason: string,
  ) {
    super(`aborted by an operator at ${step}: ${reason}`);
  }
}

/** A provider refused the step for good as a business outcome (funds, address, ...): compensate, do not park. */
export class StepRejected extends Error {
  override name = 'StepRejected';
  constructor(
    readonly step: string,
    readonly reason: string,
  ) {
    super(`${step} rejected: ${reason}`);
  }
}

/** A step noticed that the movement it waits for ended failed at the provider (not a call failure). */
export class MovementFailed extends Error {
  override name = 'MovementFailed';
  constructor(
    readonly step: string,
    readonly reason: string,
  ) {
    super(`${step} failed: ${reason}`);
  }
}

/**
 * A step found its row already `failed` (a run replayed or reset by an operator after the saga had ended): the
 * money was given back then, so the run ends `failed` at once and compensates nothing.
 */
export class RowEnded extends Error {
  override name = 'RowEnded';
  constructor(
    readonly step: string,
    readonly reason: string,
  ) {
    super(`${step}: ${reason}`);
  }
}

function failureReason(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

function failureType(error: unknown): string | undefined {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? (error.cause.type ?? undefined) : undefined;
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
  /** The step runs inside an update handler (the wallet's accept): a park must not wait for handlers to finish. */
  inHandler?: boolean;
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
  private deciding = false;
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
    // The validator refuses a stale decision before it enters the history: nothing parked, another decision
    // being made, or a step other than the one the operator saw parked (validators do not run on replay).
    setHandler(operatorUpdate, (decision) => this.decide(decision), {
      validator: ({ step }: OperatorDecision) => {
        const parked = this.progress.parked;
        if (!parked || this.decision !== undefined || this.deciding) {
          throw ApplicationFailure.create({ type: notParkedType, message: 'nothing is parked', nonRetryable: true });
        }
        if (step !== undefined && step !== parked.step) {
          throw ApplicationFailure.create({
            type: staleDecisionType,
            message: `the saga is parked at ${parked.step}, not at ${step}: look at it again before deciding`,
            nonRetryable: true,
          });
        }
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
        await this.park(name, reason, options.movement && { check: options.movement, failureType: type }, !options.inHandler);
      }
    }
  }

  /**
   * Waits for an operator after `step` failed for good; returns on retry, throws SagaAborted on abort. `movement`
   * is the money movement the step left behind, which an abort must find absent or failed at the provider.
   */
  async park(step: string, reason: string, movement?: ParkedMovement, afterHandlers = true): Promise<void> {
    this.progress.parked = { step, reason, since: new Date().toISOString() };
    this.parkedMovement = movement;
    this.publish();
    log.warn('saga parked for an operator', { step, reason });
    // Resume only once the decision's update has completed, so its completion always precedes the commands of
    // the resumed step in the history, however many promise hops interceptors (tracing) add to the handler. Not
    // when the park itself runs inside a handler: that one finishes only after the park.
    await condition(() => this.decision !== undefined && (!afterHandlers || allHandlersFinished()));
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
      this.deciding = true;
      try {
        const refusal = await this.abortRefusal(step);
        if (refusal) {
          log.warn('operator abort refused', { step, operator, note, refusal });
          throw ApplicationFailure.create({ type: abortRefusedType, message: refusal, nonRetryable: true });
        }
      } finally {
        this.deciding = false;
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

  /**
   * The run ends leaving its row mid-flow for an operator to settle by hand (an aborted compensation): the closed
   * run keeps FundflowNeedsOperator=true, which is how the API knows not to start the saga again.
   */
  abandon(step: string): void {
    // Runs abandoned before this patch closed without the flag; their histories replay without the upsert.
    if (!patched(abandonedPatch)) return;
    this.progress.parked = { step, reason: 'abandoned: settle by hand', since: new Date().toISOString() };
    this.publish();
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

/** The patch after which a run ending abandoned for manual settlement keeps FundflowNeedsOperator=true. */
const abandonedPatch = 'abandoned-keeps-needs-operator';

/** The patch after which waits are one activity whose retries poll (see waitSettled). */
export const pollPatch = 'poll-by-activity-retry';

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
    /** One read of the movement (an abort's check; the polls of runs from before `poll-by-activity-retry`). */
    read: (started: M) => Promise<M>;
    /** The wait: the read with `wait: true` through the `poll` activities, returning once it has settled. */
    until: (started: M) => Promise<M>;
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
            () =>
              waitSettled({
                read: () => movement.read(started),
                until: () => movement.until(started),
                settled: (m) => movement.state(m) !== 'pending',
              }),
            { movement: check },
          )
        : started;
    if (movement.state(settled) === 'complete') return settled;
    await saga.park(movement.step, movement.reason(settled), { check, failureType: undefined });
  }
}

/** News that should end a wait early (a webhook, a report): `seen` since the last `reset`. */
export interface News {
  seen: () => boolean;
  reset: () => void;
}

export interface Wait<T> {
  /** One read: what runs from before `poll-by-activity-retry` poll on workflow timers. */
  read: () => Promise<T>;
  /** The wait as one activity (the read with `wait: true` through `poll`): returns once settled. */
  until: () => Promise<T>;
  settled: (value: T) => boolean;
}

/**
 * Waits until a provider movement settles. The wait is one activity whose retries are the polls, so a wait of
 * days adds a handful of history events instead of 11 per poll; `news` cancels the attempt in flight and waits
 * again at once (a fresh read). A run that began this wait before the patch replays its loop of reads and timers.
 */
export async function waitSettled<T>(wait: Wait<T>, news?: News): Promise<T> {
  if (!patched(pollPatch)) {
    return pollUntil(
      () => {
        news?.reset();
        return wait.read();
      },
      wait.settled,
      news?.seen,
    );
  }
  if (!news) return wait.until();
  for (;;) {
    news.reset();
    const settled = await untilSettledOrNews(wait.until, news.seen);
    if (settled) return settled.value;
  }
}

/**
 * One wait that news may cut short: the value once settled, or undefined when `seen` turned true first (the
 * activity is cancelled: TRY_CANCEL, so the workflow does not wait for the attempt or backoff in flight).
 */
export async function untilSettledOrNews<T>(until: () => Promise<T>, seen: () => boolean): Promise<{ value: T } | undefined> {
  const scope = new CancellationScope();
  const waiting = scope.run(until);
  let done = false;
  waiting.then(
    () => (done = true),
    () => (done = true),
  );
  await condition(() => done || seen());
  const woken = !done;
  if (woken) scope.cancel();
  try {
    return { value: await waiting };
  } catch (error) {
    if (woken && isCancellation(error)) return undefined;
    throw error;
  }
}

/** Wait between two polls of a provider movement: quick at first (most settle in seconds), then up to 5 minutes. */
export function pollDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** Math.min(attempt, 10), 5 * 60_000);
}

/**
 * Polls `read` until `settled` says so, sleeping between polls on workflow timers; `wake` (a signal's flag) ends
 * a sleep early. Each poll is one activity, so a lost webhook only costs latency. Every poll adds 11 history
 * events: only runs from before `poll-by-activity-retry` wait this way.
 */
export async function pollUntil<T>(read: () => Promise<T>, settled: (value: T) => boolean, wake?: () => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await read();
    if (settled(value)) return value;
    await condition(() => wake?.() ?? false, pollDelayMs(attempt));
  }
}
