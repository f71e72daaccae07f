import { legsMeetMinimum, minimumLegNotionalUsd, parseComposition, splitByWeight } from '../../src/domain/basket.js';
import { Money } from '../../src/domain/money.js';
import { optionPremiumUsd } from '../../src/domain/options.js';
import type { OrderRequest } from './types.js';

// From an accepted request to the broker orders it becomes (pure): a basket is one notional market order per
// component, split by weight to the cent; a stock or ETF one notional market order; an option one limit order for
// whole contracts, whose amount is the premium it can cost.

export interface PlannedLeg {
  symbol: string;
  /** Notional market orders (USD, 2 decimals). */
  notionalUsd?: string;
  /** Option contracts. */
  quantity?: number;
  limitPrice?: string;
}

export interface OrderPlan {
  amountUsd: string;
  legs: PlannedLeg[];
}

export class PlanRefused extends Error {
  override name = 'PlanRefused';
  constructor(readonly title: string, detail: string) {
    super(detail);
  }
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
        throw new PlanRefused('Amount too small', `Each symbol of this basket needs at least ${minimumLegNotionalUsd} USD: order ${needed} USD or more`);
      }
      return { amountUsd, legs };
    }
    case 'stock':
    case 'etf':
      if (new Money(request.amountUsd!).lt(minimumLegNotionalUsd)) {
        throw new PlanRefused('Amount too small', `The smallest order is ${minimumLegNotionalUsd} USD`);
      }
      return { amountUsd: request.amountUsd!, legs: [{ symbol: request.symbol!, notionalUsd: request.amountUsd! }] };
    case 'option': {
      const { occSymbol, quantity, limitPrice } = request.optionDetails!;
      return { amountUsd: optionPremiumUsd({ quantity, limitPrice }), legs: [{ symbol: occSymbol, quantity, limitPrice }] };
    }
  }
}
