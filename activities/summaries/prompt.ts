import type { WeeklyFacts } from './facts.js';
import { weekRange, isoDate } from '../../src/domain/week.js';

// What the LLM is told, how its answer is checked, and the summary we store when the answer fails the check.
// Pure functions of the facts: the same week always yields the same prompt and the same fallback.

const money = (usd: string) => (usd.startsWith('-') ? `-$${usd.slice(1)}` : `$${usd}`);

function lastDayOf(weekStartDate: string): string {
  return isoDate(new Date(weekRange(weekStartDate).end.getTime() - 24 * 60 * 60 * 1000));
}

/** The facts as lines, amounts first; the week's dates come last so that the figures lead. */
function factLines(facts: WeeklyFacts): string[] {
  const { deposits, withdrawals, orders } = facts;
  const lines = [
    `- Deposits: ${deposits.count} (funded ${money(deposits.fundedUsd)}, in progress ${money(deposits.inProgressUsd)}, failed ${deposits.failedCount})`,
    `- Withdrawals: ${withdrawals.count} (completed ${money(withdrawals.completedUsd)}, in progress ${money(withdrawals.inProgressUsd)}, failed ${withdrawals.failedCount})`,
    `- Orders: ${orders.count} (bought ${money(orders.boughtUsd)}, sold ${money(orders.soldUsd)})`,
    `- Net cash flow of the week: ${money(facts.netFlowUsd)}`,
    `- Buying power now: ${money(facts.buyingPowerUsd)}`,
  ];
  if (facts.positions.length > 0) {
    const holdings = facts.positions.map((p) =>
      p.marketValueUsd === null ? `${p.symbol} ${p.quantity} units` : `${p.symbol} ${p.quantity} units worth ${money(p.marketValueUsd)}`,
    );
    lines.push(`- Holdings now: ${holdings.join('; ')}`);
  }
  return lines;
}

export function summaryPrompt(facts: WeeklyFacts): string {
  return [
    'Facts of this user account for one week, from our ledger (USD):',
    ...factLines(facts),
    `Week: ${facts.weekStartDate} to ${lastDayOf(facts.weekStartDate)} (UTC).`,
  ].join('\n');
}

/** The non-zero amounts of the facts, as written in the prompt without the `$` (e.g. `125.50`). */
export function citableFigures(facts: WeeklyFacts): string[] {
  const amounts = [
    facts.deposits.fundedUsd,
    facts.deposits.inProgressUsd,
    facts.withdrawals.completedUsd,
    facts.withdrawals.inProgressUsd,
    facts.orders.boughtUsd,
    facts.orders.soldUsd,
    facts.netFlowUsd,
    facts.buyingPowerUsd,
    ...facts.positions.flatMap((p) => (p.marketValueUsd === null ? [] : [p.marketValueUsd])),
  ];
  return [...new Set(amounts.map((a) => a.replace(/^-/, '')).filter((a) => /[1-9]/.test(a)))];
}

export const maxSummaryLength = 4_000;

/**
 * Minimal check of the LLM's answer: non-empty, not absurdly long, and citing at least one of our amounts
 * (thousands separators allowed). An answer that cites none of them is not a summary of this account.
 */
export function checkSummary(text: string, facts: WeeklyFacts): { ok: true; markdown: string } | { ok: false; reason: string } {
  const markdown = text.trim();
  if (markdown.length === 0) return { ok: false, reason: 'empty answer' };
  if (markdown.length > maxSummaryLength) return { ok: false, reason: `answer longer than ${maxSummaryLength} characters` };
  const plain = markdown.replace(/(\d),(?=\d{3}\b)/g, '$1');
  const cites = citableFigures(facts).some((figure) => new RegExp(`(?<![\\d.])${figure.replace('.', '\\.')}(?!\\d)`).test(plain));
  return cites ? { ok: true, markdown } : { ok: false, reason: 'answer cites none of the account figures' };
}

/** The summary stored when the LLM's answer fails the check or the LLM refuses: our figures, no prose. */
export function fallbackSummary(facts: WeeklyFacts): string {
  return [
    `## Your week of ${facts.weekStartDate}`,
    '',
    ...factLines(facts),
    '',
    'This summary is informational and is not investment advice.',
  ].join('\n');
}
