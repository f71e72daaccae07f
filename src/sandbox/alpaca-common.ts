import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { Decimal } from 'decimal.js';
import { stableUuid } from './chain.js';
import type { SandboxProvider } from './faults.js';
import { ProviderHttpError, type ProviderDialect } from './http.js';

// What Alpaca's Trading and Broker APIs share: the `{code, message}` error body with Alpaca's 8-digit codes,
// and one ledger: the omnibus trading account (cash, positions) that broker journals fund from the firm account.

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

export const initialTradingCashUsd = '1000000.00';
export const initialFirmCashUsd = '100000000.00';

/** The money side of Alpaca, shared by orders (trading) and journals/transfers (broker). */
export class AlpacaLedger {
  readonly accountId = stableUuid('alpaca-trading-account');
  readonly accountNumber = 'PA3SANDBOX01';
  cash = new Decimal(initialTradingCashUsd);
  firmCash = new Decimal(initialFirmCashUsd);
  positions = new Map<string, Position>();

  constructor(readonly firmAccountId: string) {}

  reset(): void {
    this.cash = new Decimal(initialTradingCashUsd);
    this.firmCash = new Decimal(initialFirmCashUsd);
    this.positions.clear();
  }

  balanceOf(accountId: string): Decimal | undefined {
    if (accountId === this.accountId) return this.cash;
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
