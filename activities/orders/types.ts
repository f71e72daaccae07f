import type { OrderStatus } from '../../src/domain/status.js';
import type { OptionDetails } from '../../src/domain/options.js';
import type { AcceptResult } from '../../workflows/definitions.js';

// What the order saga and its activities exchange. Plain data (Temporal payloads): money as decimal strings.

export type OrderAssetType = 'basket' | 'stock' | 'etf' | 'option';
export type OrderSide = 'buy' | 'sell';

/** orderWorkflow's input, as POST /v1/orders builds it from the validated request. */
export interface OrderRequest {
  orderId: string;
  userId: string;
  assetType: OrderAssetType;
  side: OrderSide;
  /** USD to spend (buy) or to sell; for options it is derived (quantity x limitPrice x 100) and may be omitted. */
  amountUsd?: string;
  /** Shares to sell (stock and ETF sells given by quantity instead of amountUsd), decimal, at most 9 decimals. */
  quantity?: string;
  basketId?: string;
  symbol?: string;
  optionDetails?: OptionDetails;
  idempotencyKey?: string;
  requestHash?: string;
}

/** acceptOrder's answer: the saga's AcceptResult, plus what the saga needs to go on. */
export type OrderAcceptance =
  (Extract<AcceptResult, { accepted: true }> & { status: OrderStatus; symbols: string[] }) | Extract<AcceptResult, { accepted: false }>;

export interface LegPlacement {
  symbol: string;
  placed: boolean;
  /** Why the broker refused the leg (placed = false). */
  reason?: string;
}

export interface OrderSync {
  /** The order's status after this sync, as written (never a terminal one: settleOrder writes those). */
  status: OrderStatus;
  /** Every leg is terminal: the saga settles the order with `outcome`. */
  terminal: boolean;
  outcome: OrderStatus;
  filledAmountUsd: string;
  /** Broker refusals of legs, "SYMBOL: reason". */
  failures: string[];
}

export interface OrderSettlement {
  status: OrderStatus;
  /** Buying power given back by this settlement ("0.00" for sells and for a repeated settle). */
  releasedUsd: string;
}
