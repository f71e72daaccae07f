import { describe, expect, it } from 'vitest';
import { hasReached } from '../../src/domain/reach.js';
import { depositTransitions, withdrawalTransitions } from '../../src/domain/status.js';

describe('hasReached', () => {
  it('knows a deposit further along has made an earlier transition', () => {
    expect(hasReached(depositTransitions, 'off_ramp_initiated', 'confirmed_on_chain')).toBe(true);
    expect(hasReached(depositTransitions, 'confirmed_on_chain', 'confirmed_on_chain')).toBe(true);
  });

  it('knows a row behind the target has not, and a failed row never reaches success', () => {
    expect(hasReached(depositTransitions, 'pending_confirmation', 'confirmed_on_chain')).toBe(false);
    expect(hasReached(withdrawalTransitions, 'complete', 'failed')).toBe(false);
    expect(hasReached(withdrawalTransitions, 'failed', 'transfer_initiated')).toBe(true);
  });
});
