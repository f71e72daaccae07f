import type { Providers } from './ports.js';

// A record of every money-moving effect fundflow starts at a provider, kept apart from the sagas' status rows: the
// decorator below writes one per effect the provider answered with (its id), after the call returns and before
// the activity does anything else with the answer. A retried call that the provider answers with the same effect
// (same idempotency key) records nothing new; a record that cannot be written fails the call, so the activity
// retries and records it then. An order whose answer was lost is recorded when the saga finds it by its
// client_order_id (Alpaca does not replay orders). The reconciliation (src/reconcile/) holds the providers' own lists against it.

export type MovementKind =
  | 'off_ramp' // Circle Mint payout to the broker's bank
  | 'on_ramp' // Circle Mint incoming wire (USD becomes Mint balance)
  | 'mint_transfer' // Circle Mint balance out on chain to a recipient address
  | 'chain_transfer' // USDC out of one of our W3S wallets
  | 'broker_fund' // Alpaca journal firm -> brokerage
  | 'broker_withdraw' // Alpaca journal brokerage -> firm
  | 'order'; // Alpaca order

export interface ProviderMovement {
  provider: 'circle-mint' | 'circle-wallets' | 'alpaca';
  kind: MovementKind;
  providerId: string;
  /** Ours: <workflowId>:<step>, or an order leg's client_order_id. */
  idempotencyKey: string;
  /** Decimal string, in `asset`. */
  amount: string;
  /** 'USD', 'USDC' or 'share:<symbol>'. */
  asset: string;
  details: Record<string, string>;
}

/** Where movements are kept (src/db/provider-movements.ts: the provider_movements table). */
export interface MovementLog {
  /** Idempotent on (provider, providerId). */
  record(movement: ProviderMovement): Promise<void>;
}

const recordedMark = Symbol('fundflow.recordedMovements');

/** The same providers, with each money-moving call recorded in `log` once it has answered. */
export function recordingMovements(providers: Providers, log: MovementLog): Providers {
  if ((providers as Providers & { [recordedMark]?: true })[recordedMark]) return providers;
  const { wallets, rails, broker } = providers;
  async function recorded<T extends { id: string }>(result: T, movement: (r: T) => Omit<ProviderMovement, 'providerId'>): Promise<T> {
    if (result.id) await log.record({ ...movement(result), providerId: result.id });
    return result;
  }
  const decorated: Providers = {
    ...providers,
    wallets: {
      ...wallets,
      sendUsdc: async (input) =>
        recorded(await wallets.sendUsdc(input), (r) => ({
          provider: 'circle-wallets',
          kind: 'chain_transfer',
          idempotencyKey: input.idempotencyKey,
          amount: input.amountUsdc,
          asset: 'USDC',
          details: { walletId: input.walletId, chain: input.chain, destinationAddress: r.destinationAddress || input.destinationAddress },
        })),
    },
    rails: {
      ...rails,
      startOffRamp: async (input) =>
        recorded(await rails.startOffRamp(input), () => ({
          provider: 'circle-mint',
          kind: 'off_ramp',
          idempotencyKey: input.idempotencyKey,
          amount: input.amountUsd,
          asset: 'USD',
          details: {},
        })),
      startOnRamp: async (input) =>
        recorded(await rails.startOnRamp(input), () => ({
          provider: 'circle-mint',
          kind: 'on_ramp',
          idempotencyKey: input.idempotencyKey,
          amount: input.amountUsd,
          asset: 'USD',
          details: {},
        })),
      startMintTransfer: async (input) =>
        recorded(await rails.startMintTransfer(input), () => ({
          provider: 'circle-mint',
          kind: 'mint_transfer',
          idempotencyKey: input.idempotencyKey,
          amount: input.amountUsd,
          asset: 'USD',
          details: { recipientAddressId: input.recipientAddressId },
        })),
    },
    broker: {
      ...broker,
      fund: async (input) =>
        recorded(await broker.fund(input), () => ({
          provider: 'alpaca',
          kind: 'broker_fund',
          idempotencyKey: input.idempotencyKey,
          amount: input.amountUsd,
          asset: 'USD',
          details: {},
        })),
      withdraw: async (input) =>
        recorded(await broker.withdraw(input), () => ({
          provider: 'alpaca',
          kind: 'broker_withdraw',
          idempotencyKey: input.idempotencyKey,
          amount: input.amountUsd,
          asset: 'USD',
          details: {},
        })),
      placeOrder: async (input) =>
        recorded(await broker.placeOrder(input), () => ({
          provider: 'alpaca',
          kind: 'order',
          idempotencyKey: input.clientOrderId,
          amount: input.notional ?? input.qty ?? '0',
          asset: input.notional ? 'USD' : `share:${input.symbol}`,
          details: { symbol: input.symbol, side: input.side, type: input.type },
        })),
      // An order placed by an attempt whose answer was lost is found by its client_order_id: recorded then.
      findOrderByClientId: async (clientOrderId) => {
        const found = await broker.findOrderByClientId(clientOrderId);
        if (!found) return undefined;
        return recorded(found, (o) => ({
          provider: 'alpaca',
          kind: 'order',
          idempotencyKey: clientOrderId,
          amount: o.notional ?? o.qty ?? '0',
          asset: o.notional ? 'USD' : `share:${o.symbol}`,
          details: { symbol: o.symbol, side: o.side, type: o.limitPrice ? 'limit' : 'market' },
        }));
      },
    },
  };
  Object.defineProperty(decorated, recordedMark, { value: true });
  return decorated;
}
