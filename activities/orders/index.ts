import { translated } from '../failures.js';
import type { ActivityDeps } from '../index.js';
import { acceptOrder } from './accept.js';
import { createFillActivities } from './fills.js';
import { createLegActivities } from './legs.js';
import { settleOrder } from './settle.js';
import type { OrderRequest } from './types.js';

export type { LegPlacement, OrderAcceptance, OrderRequest, OrderSettlement, OrderSync } from './types.js';

/** The order saga's activities: accept (reserve + insert), place and cancel legs, book fills, settle. */
export function createOrderActivities({ db, providers }: ActivityDeps) {
  return {
    acceptOrder: (request: OrderRequest) => acceptOrder(db, request),
    ...createLegActivities(db, providers.broker),
    ...createFillActivities(db, providers.broker),
    settleOrder: (input: Parameters<typeof settleOrder>[1]) => translated(() => settleOrder(db, input)),
  };
}
