import { proxyActivities } from '@temporalio/workflow';
import type { FundingActivities } from '../activities/funding/index.js';
import { databaseRetry, providerRetry } from './saga.js';

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
