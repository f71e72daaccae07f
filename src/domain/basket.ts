import { Money } from './money.js';
import { isTerminal, orderTransitions, type OrderStatus } from './status.js';

// Baskets and the per-symbol legs an order becomes. Pure: no I/O, and safe to import from workflow code.
//
// Money is split in whole cents by the largest-remainder method, so the legs of an order always add up to the
// order amount exactly: each leg gets floor(amount x weight) cents, and the cents left over go one each to the
// legs with the largest fractional remainders (ties to the earlier component, so the split is deterministic).

export interface BasketComponent {
  symbol: string;
  /** A fraction of the basket; the weights of a basket add up to exactly 1. */
  weight: number | string;
}

export interface NotionalLeg {
  symbol: string;
  /** USD with 2 decimals. */
  notionalUsd: string;
}

const symbolPattern = /^[A-Z][A-Z.]{0,9}$/;

/** Alpaca's smallest notional order; a leg below it would be refused at the broker. */
export const minimumLegNotionalUsd = '1.00';

/** Checks a composition_json value: non-empty, distinct valid symbols, positive weights adding up to exactly 1. */
export function compositionProblems(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) return ['a basket needs at least one component'];
  const problems: string[] = [];
  const seen = new Set<string>();
  let total = new Money(0);
  value.forEach((item: unknown, i) => {
    const { symbol, weight } = (item ?? {}) as Partial<BasketComponent>;
    if (typeof symbol !== 'string' || !symbolPattern.test(symbol)) problems.push(`component ${i}: invalid symbol`);
    else if (seen.has(symbol)) problems.push(`component ${i}: ${symbol} appears twice`);
    else seen.add(symbol);
    // Weights are read through their decimal text: 0.1 + 0.2 must count as 0.3, not 0.30000000000000004.
    if ((typeof weight !== 'number' && typeof weight !== 'string') || !/^\d+(\.\d+)?$/.test(String(weight))) {
      problems.push(`component ${i}: weight must be a positive decimal`);
      return;
    }
    const w = new Money(String(weight));
    if (w.lte(0) || w.gt(1)) problems.push(`component ${i}: weight must be in (0, 1]`);
    total = total.plus(w);
  });
  if (problems.length === 0 && !total.eq(1)) problems.push(`weights add up to ${total.toFixed()}, not 1`);
  return problems;
}

export function parseComposition(value: unknown): BasketComponent[] {
  const problems = compositionProblems(value);
  if (problems.length > 0) throw new Error(`invalid basket composition: ${problems.join('; ')}`);
  return (value as BasketComponent[]).map(({ symbol, weight }) => ({ symbol, weight }));
}

/**
 * Splits `amountUsd` across the components by weight into notional legs in whole cents that add up to the amount
 * exactly. Components whose share rounds to zero cents get no leg.
 */
export function splitByWeight(amountUsd: string, components: readonly BasketComponent[]): NotionalLeg[] {
  const cents = new Money(amountUsd).times(100);
  if (!cents.isInteger() || cents.isNegative()) throw new Error(`not a USD amount in cents: ${amountUsd}`);
  const shares = components.map((c, index) => {
    const exact = cents.times(String(c.weight));
    const floor = exact.floor();
    return { index, symbol: c.symbol, cents: floor, remainder: exact.minus(floor) };
  });
  let left = cents.minus(shares.reduce((sum, s) => sum.plus(s.cents), new Money(0))).toNumber();
  const byRemainder = [...shares].sort((a, b) => b.remainder.comparedTo(a.remainder) || a.index - b.index);
  for (const share of byRemainder) {
    if (left <= 0) break;
    share.cents = share.cents.plus(1);
    left -= 1;
  }
  return shares.filter((s) => s.cents.gt(0)).map((s) => ({ symbol: s.symbol, notionalUsd: s.cents.div(100).toFixed(2) }));
}

/** True when every component's leg would reach Alpaca's minimum notional. */
export function legsMeetMinimum(legs: readonly NotionalLeg[], componentCount: number): boolean {
  return legs.length === componentCount && legs.every((l) => new Money(l.notionalUsd).gte(minimumLegNotionalUsd));
}

const maxClientOrderIdLength = 128;

/** 32-bit FNV-1a, hex: enough to keep two long ids apart after truncation, and deterministic everywhere. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The broker's client_order_id of one leg: the same for every attempt, so a retried placement finds the first
 * one instead of placing a second (Alpaca refuses a reused id, and its by-client-id lookup reconciles).
 */
export function legClientOrderId(orderId: string, symbol: string): string {
  const id = `${orderId}-${symbol}`;
  if (id.length <= maxClientOrderIdLength) return id;
  const suffix = `-${fnv1a(id)}`;
  return id.slice(0, maxClientOrderIdLength - suffix.length) + suffix;
}

/** A leg's status is the order_status enum: a leg is done when that status is terminal for an order. */
export function isLegTerminal(status: OrderStatus): boolean {
  return isTerminal(orderTransitions, status);
}

/**
 * An order's status from its legs. Once every leg is terminal: all filled -> filled; any canceled -> canceled
 * (what filled before stays filled); otherwise some leg was refused -> failed (legs that filled stand, the
 * refusal is the failure reason). Before that: partially_filled once any fill arrived, accepted_by_broker once
 * every leg is at the broker, pending while some leg is not placed yet.
 */
export function orderStatusFromLegs(legs: readonly { status: OrderStatus; filled: boolean }[]): OrderStatus {
  if (legs.length === 0) return 'pending';
  if (legs.every((l) => l.status === 'filled')) return 'filled';
  if (legs.every((l) => isLegTerminal(l.status))) {
    return legs.some((l) => l.status === 'canceled') ? 'canceled' : 'failed';
  }
  if (legs.some((l) => l.filled)) return 'partially_filled';
  if (legs.some((l) => l.status === 'pending')) return 'pending';
  return 'accepted_by_broker';
}
