import { translated } from '../failures.js';
import type { ActivityDeps } from '../index.js';
import { acceptOrder } from './accept.js';
import { createFillActivities } from './fills.js';
import { createLegActivities } from './legs.js';
import { settleOrder } from './settle.js';
import type { OrderRequest } from './types.js';

export type { LegPlacement, OrderAcceptance, OrderRequest, OrderSettlement, OrderSync } from './types.js';

/** The order saga's activities: accept (reserve or hold + insert), place and cancel legs, book fills, settle. */
export function createOrderActivities({ db, providers, config }: ActivityDeps) {
  const acceptDeps = { db, broker: providers.broker, sellHoldMarginPercent: config.SELL_HOLD_MARGIN_PERCENT };
  return {
    acceptOrder: (request: OrderRequest) => translated(() => acceptOrder(acceptDeps, request)),
    ...createLegActivities(db, providers.broker),
    ...createFillActivities(db, providers.broker),
    settleOrder: (input: Parameters<typeof settleOrder>[1]) => translated(() => settleOrder(db, input)),
  };
}
