import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { stepKey, translated } from '../../../activities/failures.js';
import { ProviderError } from '../../../src/providers/errors.js';
import { TransitionError } from '../../../src/domain/status.js';

// The activity side of the retry contract, in Temporal's mock activity environment: what a provider's answer
// becomes (a failure type the saga's retry policy reads) and the idempotency key a step sends, which must be the
// same on every attempt of every run of one workflow id.

const env = (workflowId: string, attempt = 1) =>
  new MockActivityEnvironment({
    workflowExecution: { workflowId, runId: `run-${attempt}` },
    attempt,
    activityType: 'startWithdrawalPayout',
  });

async function failureOf(error: unknown): Promise<ApplicationFailure> {
  const thrown = await env('withdrawal-1')
    .run(() => translated(() => Promise.reject(error)))
    .catch((e: unknown) => e);
  expect(thrown).toBeInstanceOf(ApplicationFailure);
  return thrown as ApplicationFailure;
}

describe('an activity failure', () => {
  it('keeps a provider error kind as its type, and retries only what can succeed later', async () => {
    const down = await failureOf(new ProviderError('circle-mint', 'unavailable', 'HTTP 503'));
    expect([down.type, down.nonRetryable]).toEqual(['Providerunavailable', false]);
    const refused = await failureOf(new ProviderError('circle-mint', 'rejected', 'insufficient funds', { status: 400 }));
    expect([refused.type, refused.nonRetryable]).toEqual(['Providerrejected', true]);
    expect(refused.message).toBe('circle-mint: insufficient funds');
  });

  it("waits at least a rate limit's Retry-After before the next attempt", async () => {
    const limited = await failureOf(new ProviderError('alpaca', 'rate_limited', 'HTTP 429', { retryAfterMs: 7000 }));
    expect([limited.nonRetryable, limited.nextRetryDelay]).toEqual([false, 7000]);
  });

  it('never retries a status transition the row refuses', async () => {
    const refused = await failureOf(new TransitionError('withdrawal', 'complete', 'pending'));
    expect([refused.type, refused.nonRetryable]).toEqual(['TransitionError', true]);
  });
});

describe('a step key', () => {
  it('is the workflow id and the step, the same on a retry and in a later run', async () => {
    const first = await env('withdrawal-7', 1).run(async () => stepKey('payout'));
    const retried = await env('withdrawal-7', 4).run(async () => stepKey('payout'));
    expect(first).toBe('withdrawal-7:payout');
    expect(retried).toBe(first);
    expect(await env('withdrawal-8').run(async () => stepKey('payout'))).not.toBe(first);
  });
});
