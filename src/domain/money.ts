import { Decimal } from 'decimal.js';

// Money as decimal strings at the edges and decimal.js inside, never a float. USD has 2 decimals (the schema's
// DECIMAL(18,2)); USDC up to 18 (DECIMAL(36,18)). 1 USDC = 1 USD, and a USDC amount turns into USD by truncating
// to whole cents: the fraction of a cent stays on chain rather than being credited to anyone.

/** 36 significant digits fit DECIMAL(36,18) whole; decimal.js's default of 20 would round large USDC amounts. */
export const Money = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_DOWN });
export type Money = Decimal;

const usdPattern = /^\d{1,16}(\.\d{1,2})?$/;
const usdcPattern = /^\d{1,18}(\.\d{1,18})?$/;

export class MoneyFormatError extends Error {
  override name = 'MoneyFormatError';
}

/** A non-negative USD amount with at most 2 decimals ("125.5", "125.50"), as the API and the schema take it. */
export function parseUsd(value: string): Money {
  if (!usdPattern.test(value)) throw new MoneyFormatError(`not a USD amount: ${JSON.stringify(value)}`);
  return new Money(value);
}

/** A non-negative USDC amount with at most 18 decimals. */
export function parseUsdc(value: string): Money {
  if (!usdcPattern.test(value)) throw new MoneyFormatError(`not a USDC amount: ${JSON.stringify(value)}`);
  return new Money(value);
}

export function isUsdAmount(value: string): boolean {
  return usdPattern.test(value);
}

export function isUsdcAmount(value: string): boolean {
  return usdcPattern.test(value);
}

/** Exactly 2 decimals ("125.50"); refuses a value with a fraction of a cent instead of rounding it away. */
export function formatUsd(value: Decimal.Value): string {
  const amount = new Money(value);
  if (amount.decimalPlaces() > 2) throw new MoneyFormatError(`fraction of a cent: ${amount.toFixed()}`);
  return amount.toFixed(2);
}

/** Plain notation without trailing zeros ("10.123456", "5"): never an exponent, whatever the size. */
export function formatUsdc(value: Decimal.Value): string {
  const amount = new Money(value);
  if (amount.decimalPlaces() > 18) throw new MoneyFormatError(`more than 18 decimals: ${amount.toFixed()}`);
  return amount.toFixed();
}

/** The USD a USDC amount is worth, truncated to cents ("10.129999" -> "10.12"). */
export function usdFromUsdc(usdc: Decimal.Value): string {
  return new Money(usdc).toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2);
}

/** The USDC that pays out a USD amount (1:1, in USDC's plain notation). */
export function usdcFromUsd(usd: Decimal.Value): string {
  return new Money(usd).toFixed();
}

/** Exact sum of USD amounts, 2 decimals. */
export function sumUsd(values: readonly Decimal.Value[]): string {
  return formatUsd(values.reduce<Money>((sum, v) => sum.plus(v), new Money(0)));
}

/** Exact sum of USDC amounts. */
export function sumUsdc(values: readonly Decimal.Value[]): string {
  return formatUsdc(values.reduce<Money>((sum, v) => sum.plus(v), new Money(0)));
}
