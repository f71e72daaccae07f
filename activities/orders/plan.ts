import { legsMeetMinimum, minimumLegNotionalUsd, parseComposition, splitByWeight } from '../../src/domain/basket.js';
import { Money } from '../../src/domain/money.js';
import { optionPremiumUsd } from '../../src/domain/options.js';
import type { OrderRequest } from './types.js';

// From an accepted request to the broker orders it becomes (pure): a basket is one notional market order per
// component, split by weight to the cent; a stock or ETF one notional market order, or for a sell given as a
// quantity one market order for that quantity; an option one limit order for whole contracts, whose amount is the
// premium it can cost.
//
// A sell holds, at accept, the quantity it may sell (sellHolds): a quantity leg exactly its quantity; a notional
// leg its amount at the broker's current price plus a margin (the order may fill lower), rounded up to Alpaca's 9
// decimals and capped by the position when the hold is taken. A notional leg needs a position worth its amount at
// that price.

export interface PlannedLeg {
  symbol: string;
  /** Notional market orders (USD, 2 decimals). */
  notionalUsd?: string;
  /** Option contracts, or the shares of a sell given by quantity (decimal). */
  quantity?: string;
  limitPrice?: string;
}

export interface OrderPlan {
  /** Undefined for a sell given by quantity: accept prices it at the broker's current price. */
  amountUsd?: string;
  legs: PlannedLeg[];
}

/** Alpaca takes quantities with at most 9 decimals. */
const quantityDecimals = 9;

export interface SellHold {
  symbol: string;
  /** The quantity the leg takes out of the position (at most: a notional leg's is capped by the position). */
  wantedQuantity: string;
  /** Notional legs: the position must be worth this much at `priceUsd`, or the sell is refused. */
  coverUsd?: string;
  /** The broker's current price per share; undefined for options (valued at the position's own price). */
  priceUsd?: string;
}

/** What each leg of a sell holds; `pricesUsd` are the broker's current prices (every symbol but options'). */
export function sellHolds(legs: readonly PlannedLeg[], pricesUsd: Readonly<Record<string, string>>, marginPercent: number): SellHold[] {
  return legs.map((leg) => {
    const priceUsd = pricesUsd[leg.symbol];
    if (leg.quantity !== undefined) return { symbol: leg.symbol, wantedQuantity: leg.quantity, priceUsd };
    if (priceUsd === undefined) throw new Error(`no price to hold a notional sell of ${leg.symbol}`);
    const wanted = new Money(leg.notionalUsd!)
      .div(priceUsd)
      .times(new Money(100).plus(String(marginPercent)).div(100))
      .toDecimalPlaces(quantityDecimals, Money.ROUND_UP);
    return { symbol: leg.symbol, wantedQuantity: wanted.toFixed(), coverUsd: leg.notionalUsd, priceUsd };
  });
}

/** The amount of a sell given by quantity: what it is worth at the broker's current price, to the cent. */
export function sellAmountUsd(quantity: string, priceUsd: string): string {
  return new Money(quantity).times(priceUsd).toDecimalPlaces(2, Money.ROUND_HALF_UP).toFixed(2);
}

/** The order is below the broker's smallest order (per symbol of a basket). */
export class PlanRefused extends Error {
  override name = 'PlanRefused';
}

/** `composition` is the basket's composition_json (basket orders only). */
export function planOrder(request: OrderRequest, composition?: unknown): OrderPlan {
  switch (request.assetType) {
    case 'basket': {
      const components = parseComposition(composition);
      const amountUsd = request.amountUsd!;
      const legs = splitByWeight(amountUsd, components);
      if (!legsMeetMinimum(legs, components.length)) {
        const smallest = components.reduce((min, c) => Money.min(min, String(c.weight)), new Money(1));
        const needed = new Money(minimumLegNotionalUsd).div(smallest).toDecimalPlaces(2, Money.ROUND_UP).toFixed(2);
        throw new PlanRefused(`Each symbol of this basket needs at least ${minimumLegNotionalUsd} USD: order ${needed} USD or more`);
      }
      return { amountUsd, legs };
    }
    case 'stock':
    case 'etf':
      if (request.side === 'sell' && request.quantity !== undefined)
        return { legs: [{ symbol: request.symbol!, quantity: request.quantity }] };
      if (new Money(request.amountUsd!).lt(minimumLegNotionalUsd)) {
        throw new PlanRefused(`The smallest order is ${minimumLegNotionalUsd} USD`);
      }
      return { amountUsd: request.amountUsd!, legs: [{ symbol: request.symbol!, notionalUsd: request.amountUsd! }] };
    case 'option': {
      const { occSymbol, quantity, limitPrice } = request.optionDetails!;
      return {
        amountUsd: optionPremiumUsd({ quantity, limitPrice }),
        legs: [{ symbol: occSymbol, quantity: String(quantity), limitPrice }],
      };
    }
  }
}
