import { Money } from './money.js';

// Option orders: the OCC contract symbol, whole contracts and a limit price. Pure: no I/O.
//
// The OCC symbol as Alpaca takes it has no spaces: root (1-6 letters) + expiry YYMMDD + C|P + strike x 1000 in
// 8 digits, e.g. AAPL250620C00150000 = AAPL call expiring 2025-06-20 at strike 150.000.
//
// An option order's amount_usd is the premium it can cost: quantity x limitPrice x 100 (one contract is 100
// shares). A buy reserves exactly that from buying power; what the fill costs less is released when it ends.

export const contractMultiplier = 100;

export interface OptionDetails {
  occSymbol: string;
  /** Whole contracts. */
  quantity: number;
  /** USD per share, a decimal string with at most 2 decimals. */
  limitPrice: string;
}

export interface OccContract {
  root: string;
  /** YYYY-MM-DD */
  expiry: string;
  type: 'call' | 'put';
  /** The strike as a decimal string (up to 3 decimals). */
  strike: string;
}

const occPattern = /^([A-Z]{1,6})(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/;
const limitPricePattern = /^\d{1,8}(\.\d{1,2})?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The contract an OCC symbol names, or undefined when the text is not a well-formed OCC symbol. */
export function parseOccSymbol(symbol: string): OccContract | undefined {
  const match = occPattern.exec(symbol);
  if (!match) return undefined;
  const [, root, yy, mm, dd, cp, strikeDigits] = match as unknown as [string, string, string, string, string, string, string];
  const year = 2000 + Number(yy);
  const month = Number(mm);
  const day = Number(dd);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const strike = new Money(strikeDigits).div(1000);
  if (strike.lte(0)) return undefined;
  return { root, expiry: `${year}-${mm}-${dd}`, type: cp === 'C' ? 'call' : 'put', strike: strike.toFixed() };
}

/** What is wrong with an order's option details, field by field (empty when they are valid). */
export function optionDetailsProblems(details: {
  occSymbol?: unknown;
  quantity?: unknown;
  limitPrice?: unknown;
}): { path: keyof OptionDetails; message: string }[] {
  const problems: { path: keyof OptionDetails; message: string }[] = [];
  if (typeof details.occSymbol !== 'string' || !parseOccSymbol(details.occSymbol)) {
    problems.push({
      path: 'occSymbol',
      message: 'an OCC symbol without spaces: root + YYMMDD + C|P + strike x 1000 in 8 digits, e.g. AAPL250620C00150000',
    });
  }
  const quantity = details.quantity;
  if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity <= 0) {
    problems.push({ path: 'quantity', message: 'a positive whole number of contracts' });
  }
  const price = details.limitPrice;
  if (typeof price !== 'string' || !limitPricePattern.test(price) || new Money(price).lte(0)) {
    problems.push({ path: 'limitPrice', message: 'a positive decimal string with at most 2 decimals, e.g. "1.25"' });
  }
  return problems;
}

/** The premium an option order can cost: quantity x limitPrice x 100, in USD with 2 decimals. */
export function optionPremiumUsd(details: Pick<OptionDetails, 'quantity' | 'limitPrice'>): string {
  return new Money(details.limitPrice).times(details.quantity).times(contractMultiplier).toFixed(2);
}
