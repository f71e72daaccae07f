import { describe, expect, it } from 'vitest';
import type { WeeklyFacts } from '../../activities/summaries/facts.js';
import { checkSummary, citableFigures, fallbackSummary, summaryPrompt } from '../../activities/summaries/prompt.js';

const facts: WeeklyFacts = {
  userId: '00000000-0000-4000-8000-000000000001',
  weekStartDate: '2026-11-16',
  alreadySummarized: false,
  deposits: { count: 2, fundedUsd: '1250.50', inProgressUsd: '0.00', failedCount: 0 },
  withdrawals: { count: 1, completedUsd: '0.00', inProgressUsd: '40.00', failedCount: 0 },
  orders: { count: 1, boughtUsd: '300.00', soldUsd: '0.00' },
  netFlowUsd: '910.50',
  buyingPowerUsd: '910.50',
  positions: [{ symbol: 'VTI', quantity: '1.2', marketValueUsd: '300.00' }],
};

describe('the weekly summary prompt and its check', () => {
  it('gives the model every figure of the week as our ledger has it', () => {
    const prompt = summaryPrompt(facts);
    for (const figure of ['$1250.50', '$40.00', '$300.00', '$910.50', 'VTI 1.2 units']) expect(prompt).toContain(figure);
    expect(prompt).toContain('2026-11-16 to 2026-11-22');
  });

  it('a negative net flow reads as a negative dollar amount', () => {
    expect(summaryPrompt({ ...facts, netFlowUsd: '-40.00' })).toContain('Net cash flow of the week: -$40.00');
  });

  it('only non-zero amounts count as citable figures', () => {
    expect(citableFigures(facts).sort()).toEqual(['1250.50', '300.00', '40.00', '910.50']);
  });

  it('accepts an answer that cites one of our amounts, with or without thousands separators', () => {
    expect(checkSummary('You deposited **$1,250.50** this week.', facts)).toEqual({
      ok: true,
      markdown: 'You deposited **$1,250.50** this week.',
    });
    expect(checkSummary('  - Withdrew $40.00\n', facts).ok).toBe(true);
  });

  it('refuses an empty answer and one that cites none of the figures', () => {
    expect(checkSummary('   \n', facts)).toEqual({ ok: false, reason: 'empty answer' });
    expect(checkSummary('Great week! Consider buying more tech stocks.', facts).ok).toBe(false);
    // 1300.00 contains "300.00" but is not that figure.
    expect(checkSummary('You moved $1300.00 and $2.5.', facts).ok).toBe(false);
  });

  it('the fallback summary is our figures with the no-advice line, and passes its own check', () => {
    const fallback = fallbackSummary(facts);
    expect(fallback).toContain('$1250.50');
    expect(fallback).toContain('not investment advice');
    expect(checkSummary(fallback, facts).ok).toBe(true);
    expect(fallbackSummary(facts)).toBe(fallback);
  });
});
