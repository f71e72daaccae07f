import { depositTransitions, kycTransitions, orderTransitions, walletTransitions, withdrawalTransitions } from './status.js';

// The event types of the outbox (the triggers of migration 20261202030000_events): `<resource>.<status>` with the
// schema's own status values, and one `summary.created` per weekly summary written.

export const eventResourceTypes = ['deposit', 'withdrawal', 'order', 'wallet', 'kyc', 'summary'] as const;
export type EventResourceType = (typeof eventResourceTypes)[number];

const statusesOf: Record<EventResourceType, readonly string[]> = {
  deposit: Object.keys(depositTransitions),
  withdrawal: Object.keys(withdrawalTransitions),
  order: Object.keys(orderTransitions),
  wallet: Object.keys(walletTransitions),
  kyc: Object.keys(kycTransitions).filter((s) => s !== 'not_started'),
  summary: ['created'],
};

export const eventTypes = eventResourceTypes.flatMap((r) => statusesOf[r].map((s) => `${r}.${s}`));

/** What an endpoint may subscribe to: an event type, or every type of one resource (`deposit.*`). */
export const eventTypeFilters = [...eventTypes, ...eventResourceTypes.map((r) => `${r}.*`)] as [string, ...string[]];
