import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { Decimal } from 'decimal.js';
import { stableUuid } from './chain.js';
import type { SandboxProvider } from './faults.js';
import { ProviderHttpError, type ProviderDialect } from './http.js';

// What Alpaca's Trading and Broker APIs share: the `{code, message}` error body with Alpaca's 8-digit codes,
// and one ledger: the omnibus trading account (cash, positions) that broker journals fund from the firm account.
// Both accounts start empty: money reaches the firm account from Circle Mint payouts (the firm's bank, for the
// sandbox) or an incoming wire of the control API, and the trading account by journal, sells, or such a wire.

export function alpacaError(status: number, code: number, message: string): ProviderHttpError {
  return new ProviderHttpError(status, { code, message });
}

function dialect(provider: SandboxProvider, authenticate: (req: Request) => boolean): ProviderDialect {
  return {
    provider,
    authenticate: (req) => (authenticate(req) ? undefined : alpacaError(401, 40110000, 'request is not authorized')),
    serverError: () => alpacaError(500, 50010000, 'internal server error occurred'),
    rejection: () => alpacaError(403, 40310000, 'insufficient buying power'),
    notFound: (what) => alpacaError(404, 40410000, `${what} not found`),
    invalid: (message) => alpacaError(422, 40010001, message),
  };
}

export function tradingDialect(keyId: string, secret: string): ProviderDialect {
  return dialect('alpaca', (req) => req.get('apca-api-key-id') === keyId && req.get('apca-api-secret-key') === secret);
}

export function brokerDialect(key: string, secret: string): ProviderDialect {
  const expected = `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
  return dialect('alpaca-broker', (req) => req.get('authorization') === expected);
}

export interface Position {
  qty: Decimal;
  costBasis: Decimal;
}

/** The money side of Alpaca, shared by orders (trading) and journals/transfers (broker). */
export class AlpacaLedger {
  readonly accountId = stableUuid('alpaca-trading-account');
  readonly accountNumber = 'PA3SANDBOX01';
  cash = new Decimal(0);
  firmCash = new Decimal(0);
  positions = new Map<string, Position>();
  /** The trading account's cash held by its open buy orders (set by the trading sim). */
  buyHolds: () => Decimal = () => new Decimal(0);

  constructor(readonly firmAccountId: string) {}

  reset(): void {
    this.cash = new Decimal(0);
    this.firmCash = new Decimal(0);
    this.positions.clear();
  }

  /** What the account can spend or send now: the trading account's cash less what open buys hold. */
  balanceOf(accountId: string): Decimal | undefined {
    if (accountId === this.accountId) return Decimal.max(0, this.cash.minus(this.buyHolds()));
    if (accountId === this.firmAccountId) return this.firmCash;
    return undefined;
  }

  move(fromAccount: string, toAccount: string, amount: Decimal): void {
    if (fromAccount === this.accountId) this.cash = this.cash.minus(amount);
    if (fromAccount === this.firmAccountId) this.firmCash = this.firmCash.minus(amount);
    if (toAccount === this.accountId) this.cash = this.cash.plus(amount);
    if (toAccount === this.firmAccountId) this.firmCash = this.firmCash.plus(amount);
  }
}

/** OCC option symbol without spaces: root, YYMMDD, C/P, strike x 1000 in 8 digits. */
export const occSymbol = /^[A-Z]{1,6}\d{6}[CP]\d{8}$/;

/** A stable price per symbol when none is configured: 50.00–499.99 for stocks, 1.00–9.99 per option share. */
export function defaultPrice(symbol: string): string {
  const n = createHash('sha1').update(symbol).digest().readUInt32BE(0);
  return occSymbol.test(symbol) ? new Decimal(100 + (n % 900)).div(100).toFixed(2) : new Decimal(5000 + (n % 45000)).div(100).toFixed(2);
}
