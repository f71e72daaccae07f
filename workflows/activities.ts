import { proxyActivities, workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { FundingActivities } from '../activities/funding/index.js';
import { databaseRetry, pollRetry, providerRetry } from './saga.js';

// The funding activities as the sagas call them, with one retry policy per kind of work. Timeouts are short:
// each activity is one provider call (PROVIDER_TIMEOUT_MS, 15 s by default) and a statement or two.

/** Our own database writes: validate, insert, guarded status changes with their balance moves. */
export const db = proxyActivities<FundingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: databaseRetry,
});

/** One provider call, possibly followed by recording its result: transient failures retry, then the step parks. */
export const provider = proxyActivities<FundingActivities>({
  startToCloseTimeout: '1 minute',
  retry: providerRetry,
});

/**
 * Accepting a reported deposit: Circle may not have indexed a hash the app reports right after sending, so the
 * lookup retries for a few seconds (the API waits for the answer), then the report is refused as unknown.
 */
export const depositLookup = proxyActivities<FundingActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { ...providerRetry, initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 4 },
});

/**
 * Reading a movement for an operator's abort: the operator waits for the answer, so a provider that does not
 * answer refuses the abort quickly instead of retrying for a minute.
 */
export const probe = proxyActivities<FundingActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { ...providerRetry, maximumAttempts: 2 },
});

/** The providers whose calls run on a task queue of their own (`<workflow's task queue>-<provider>`). */
export const providerQueues = ['circle', 'alpaca', 'openai'] as const;
export type ProviderQueue = (typeof providerQueues)[number];

export function providerTaskQueue(mainTaskQueue: string, provider: ProviderQueue): string {
  return `${mainTaskQueue}-${provider}`;
}

/**
 * Which task queue each activity runs on: its provider's when it calls one, so that an outage or throttling at one
 * provider fills only that queue (and its rate limit, WORKER_<PROVIDER>_ACTIVITIES_PER_SECOND, spends only on that
 * provider's calls); `main` when it only touches our database. Every activity is listed, so a new one does not
 * compile until it says where it runs. findBreaks reads Circle and Alpaca both (hourly) and stays on main.
 */
export const activityQueues: Record<keyof Activities, ProviderQueue | 'main'> = {
  submitKyc: 'main',
  recordKycDecision: 'main',
  checkWalletEligibility: 'main',
  createCustodyWallet: 'circle',
  activateWallet: 'circle',
  getChainTransfer: 'circle',
  getOffRamp: 'circle',
  getOnRamp: 'circle',
  getTransferToMint: 'circle',
  getMintTransfer: 'circle',
  getBrokerTransfer: 'alpaca',
  fundBroker: 'alpaca',
  acceptDeposit: 'circle',
  readDepositTransfer: 'circle',
  confirmDeposit: 'circle',
  startDepositOffRamp: 'circle',
  readDepositOffRamp: 'circle',
  completeOffRamp: 'main',
  startDepositFunding: 'alpaca',
  readDepositFunding: 'alpaca',
  markBrokerFunded: 'main',
  bookDepositSweep: 'main',
  failDeposit: 'main',
  startDepositSweep: 'circle',
  readDepositSweep: 'circle',
  acceptWithdrawal: 'main',
  initiateBrokerWithdrawal: 'alpaca',
  completeBrokerWithdrawal: 'main',
  initiateOnRamp: 'circle',
  completeOnRamp: 'main',
  chooseTreasuryWallet: 'circle',
  fundTreasury: 'circle',
  initiateWithdrawalTransfer: 'circle',
  completeWithdrawal: 'main',
  returnTreasuryUsdc: 'circle',
  reverseOnRamp: 'circle',
  refundBrokerWithdrawal: 'alpaca',
  failWithdrawal: 'main',
  // A sell is priced at the broker when accepted; a buy's accept reads nothing there but is the order's own work.
  acceptOrder: 'alpaca',
  placeOrderLeg: 'alpaca',
  cancelOrderLegs: 'alpaca',
  syncOrderLegs: 'alpaca',
  settleOrder: 'main',
  listSummaryCandidates: 'main',
  gatherWeeklyFacts: 'main',
  writeSummary: 'openai',
  purgeIdempotencyKeys: 'main',
  purgeCircleNotifications: 'main',
  purgeExpiredRateLimits: 'main',
  purgeWebhookDeliveries: 'main',
  purgeEvents: 'main',
  findBreaks: 'main',
  recordBreaks: 'main',
  dispatchWebhookEvents: 'main',
  nextWebhookDelivery: 'main',
  attemptWebhookDelivery: 'main',
  failWebhookDelivery: 'main',
};

/**
 * Sends every provider activity a workflow schedules, whichever proxy it comes through (the sagas' own included),
 * to its provider's task queue. The worker installs it (src/workflow-code.ts; in the bundle when there is one). Safe for
 * runs already in flight: replay compares an activity's id and type with the history, never its task queue
 * (sdk-core's activity_state_machine.rs), and every queue's worker registers every activity, so a task scheduled on
 * the main queue before this routing still runs there.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      scheduleActivity(input, next) {
        const queue = activityQueues[input.activityType as keyof Activities] ?? 'main';
        if (queue === 'main' || input.options.taskQueue) return next(input);
        return next({ ...input, options: { ...input.options, taskQueue: providerTaskQueue(workflowInfo().taskQueue, queue) } });
      },
    },
  ],
});

/**
 * Waiting for a provider movement to settle: the reads called with `wait: true` fail while it is pending, and
 * their retries are the polls (no history per poll, no attempt limit: an outage of the provider keeps polling).
 */
export const poll = proxyActivities<FundingActivities>({
  startToCloseTimeout: '1 minute',
  retry: pollRetry,
});
