import { describe, expect, it } from 'vitest';
import { ProviderError, retryableKinds, type ProviderErrorKind } from '../../src/providers/errors.js';
import { nonRetryableProviderTypes, pollDelayMs, pollRetry, providerRetry } from '../../workflows/saga.js';

const allKinds: ProviderErrorKind[] = [
  'unavailable',
  'timeout',
  'rate_limited',
  'rejected',
  'invalid_request',
  'not_found',
  'conflict',
  'auth',
];

describe('saga retry policy', () => {
  it('never retries exactly the provider errors the provider boundary calls final', () => {
    for (const kind of allKinds) {
      const final = !new ProviderError('alpaca', kind, 'x').retryable;
      expect(nonRetryableProviderTypes.includes(`Provider${kind}`), kind).toBe(final);
      expect(retryableKinds.has(kind)).toBe(!final);
    }
    expect(providerRetry.nonRetryableErrorTypes).toEqual(nonRetryableProviderTypes);
  });

  it('polls quickly at first and at most every five minutes', () => {
    expect(pollDelayMs(0)).toBe(500);
    expect(pollDelayMs(1)).toBe(1000);
    expect(pollDelayMs(50)).toBe(300_000);
  });

  it('waits for a movement through retries with no attempt limit, 5 minutes apart at most, stopping only on a final answer', () => {
    expect(pollRetry.maximumAttempts ?? 0).toBe(0);
    expect(pollRetry).toMatchObject({ initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '5 minutes' });
    expect(pollRetry.nonRetryableErrorTypes).toEqual(nonRetryableProviderTypes);
  });
});
