import { orderTransitions, type OrderStatus } from '../../src/domain/status.js';

/** The statuses an order may move to `to` from (the transition table), excluding `to` itself: a guarded UPDATE's WHERE. */
export function predecessors(to: OrderStatus): OrderStatus[] {
  return (Object.keys(orderTransitions) as OrderStatus[]).filter((from) => from !== to && orderTransitions[from].includes(to));
}
