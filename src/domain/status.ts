// The schema's status enums as state machines: the one table of allowed transitions. Workflows walk it,
// activities assert it before they write a row (a guarded UPDATE ... WHERE status = <from>).

export type KycStatus = 'not_started' | 'pending' | 'approved' | 'rejected';
export type WalletStatus = 'creating' | 'active' | 'inactive';
export type DepositStatus =
  'pending_confirmation' | 'confirmed_on_chain' | 'off_ramp_initiated' | 'off_ramp_complete' | 'broker_funded' | 'failed';
export type WithdrawalStatus =
  | 'pending'
  | 'broker_withdrawal_initiated'
  | 'broker_withdrawal_complete'
  | 'on_ramp_initiated'
  | 'on_ramp_complete'
  | 'transfer_initiated'
  | 'complete'
  | 'failed';
export type OrderStatus = 'pending' | 'accepted_by_broker' | 'partially_filled' | 'filled' | 'failed' | 'canceled';

/** A status enum as a state machine: each status with the statuses it may move to (none: terminal). */
export type Machine<S extends string> = { readonly [K in S]: readonly S[] };

export const kycTransitions: Machine<KycStatus> = {
  not_started: ['pending'],
  pending: ['approved', 'rejected'],
  approved: [],
  rejected: ['pending'], // a rejected user may submit again
};

export const walletTransitions: Machine<WalletStatus> = {
  creating: ['active', 'inactive'],
  active: ['inactive'],
  inactive: ['active'],
};

export const depositTransitions: Machine<DepositStatus> = {
  pending_confirmation: ['confirmed_on_chain', 'failed'],
  confirmed_on_chain: ['off_ramp_initiated', 'failed'],
  off_ramp_initiated: ['off_ramp_complete', 'failed'],
  off_ramp_complete: ['broker_funded', 'failed'],
  broker_funded: [],
  failed: [],
};

export const withdrawalTransitions: Machine<WithdrawalStatus> = {
  pending: ['broker_withdrawal_initiated', 'failed'],
  broker_withdrawal_initiated: ['broker_withdrawal_complete', 'failed'],
  broker_withdrawal_complete: ['on_ramp_initiated', 'failed'],
  on_ramp_initiated: ['on_ramp_complete', 'failed'],
  on_ramp_complete: ['transfer_initiated', 'failed'],
  transfer_initiated: ['complete', 'failed'],
  complete: [],
  failed: [],
};

export const orderTransitions: Machine<OrderStatus> = {
  pending: ['accepted_by_broker', 'failed', 'canceled'],
  accepted_by_broker: ['partially_filled', 'filled', 'failed', 'canceled'],
  partially_filled: ['partially_filled', 'filled', 'canceled', 'failed'],
  filled: [],
  failed: [],
  canceled: [],
};

export function canTransition<S extends string>(machine: Machine<S>, from: S, to: S): boolean {
  return machine[from].includes(to);
}

export function isTerminal<S extends string>(machine: Machine<S>, status: S): boolean {
  return machine[status].length === 0;
}

/** Every status of the machine, in the schema's order (the API's enums are this list). */
export function statusesOf<S extends string>(machine: Machine<S>): [S, ...S[]] {
  return Object.keys(machine) as [S, ...S[]];
}

/** The statuses from which a row may still end `failed`: where a saga's failure can land. */
export function failableStatusesOf<S extends string>(machine: Machine<S>): S[] {
  return statusesOf(machine).filter((status) => (machine[status] as readonly string[]).includes('failed'));
}

export class TransitionError extends Error {
  override name = 'TransitionError';
  constructor(
    readonly entity: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`${entity} cannot move from ${from} to ${to}`);
  }
}

/**
 * The row ended `failed`: no later step may run against it (a replayed or reset run would otherwise take the row
 * for "already done" and call the provider again, after the money was given back). Ends the run, never retried.
 */
export class RowFailed extends Error {
  override name = 'RowFailed';
  constructor(
    readonly entity: string,
    readonly id: string,
    readonly step: string,
  ) {
    super(`${entity} ${id} has failed: ${step} will not run`);
  }
}

/** The Temporal failure type activities give RowFailed (workflows compare against it). */
export const rowFailedType = 'RowFailed';

export function assertTransition<S extends string>(entity: string, machine: Machine<S>, from: S, to: S): void {
  if (!canTransition(machine, from, to)) throw new TransitionError(entity, from, to);
}
