import { randomUUID } from 'node:crypto';
import { z } from 'zod';

// Faults a test or a person injects to make the sandbox fail the way the real provider fails. A fault matches
// one provider + operation and is used up after `times` hits (1 when neither `times` nor `rate` is given);
// with `rate`, each matching request fails with that probability until `times` runs out.

export const sandboxProviders = ['circle-wallets', 'circle-mint', 'alpaca', 'alpaca-broker', 'openai'] as const;
export type SandboxProvider = (typeof sandboxProviders)[number];

export const faultKinds = ['http500', 'timeout', 'reject'] as const;
export type FaultKind = (typeof faultKinds)[number];

/** The operation names a fault can target, one per endpoint (documented in src/sandbox/README.md). */
export const operations = {
  'circle-wallets': [
    'getPublicKey',
    'createWalletSet',
    'getWalletSet',
    'createWallets',
    'getWallet',
    'listWallets',
    'getWalletBalance',
    'createTransaction',
    'getTransaction',
    'listTransactions',
    'getNotificationPublicKey',
    'getToken',
  ],
  'circle-mint': [
    'createWireBank',
    'getWireBank',
    'listWireBanks',
    'getWireInstructions',
    'createPayout',
    'getPayout',
    'listPayouts',
    'createMockWire',
    'listDeposits',
    'getBalances',
    'createRecipientAddress',
    'listRecipientAddresses',
    'createDepositAddress',
    'listDepositAddresses',
    'createTransfer',
    'getTransfer',
    'listTransfers',
  ],
  alpaca: ['getAccount', 'createOrder', 'getOrder', 'getOrderByClientOrderId', 'listOrders', 'cancelOrder', 'listPositions', 'getPosition'],
  'alpaca-broker': [
    'listAccounts',
    'getBrokerAccount',
    'createJournal',
    'getJournal',
    'listJournals',
    'getTradingAccount',
    'createTransfer',
    'listTransfers',
  ],
  openai: ['chatCompletion'],
} as const satisfies Record<SandboxProvider, readonly string[]>;

export const faultInput = z
  .object({
    provider: z.enum(sandboxProviders),
    operation: z.string().min(1),
    kind: z.enum(faultKinds),
    times: z.number().int().positive().optional(),
    rate: z.number().min(0).max(1).optional(),
    /** timeout only: how long the answer is held (default: the sandbox's timeoutHoldMs). */
    holdMs: z.number().int().min(0).optional(),
  })
  .refine((f) => (operations[f.provider] as readonly string[]).includes(f.operation), {
    message: 'unknown operation for this provider',
    path: ['operation'],
  });
export type FaultInput = z.infer<typeof faultInput>;

export interface Fault extends FaultInput {
  id: string;
  remaining: number;
  hits: number;
}

export class FaultRegistry {
  private faults: Fault[] = [];

  add(input: FaultInput): Fault {
    const fault: Fault = {
      ...input,
      id: randomUUID(),
      remaining: input.times ?? (input.rate === undefined ? 1 : Number.POSITIVE_INFINITY),
      hits: 0,
    };
    this.faults.push(fault);
    return fault;
  }

  /** The fault that hits this request, if any; using it up counts down its `times`. */
  take(provider: SandboxProvider, operation: string): Fault | undefined {
    for (const fault of this.faults) {
      if (fault.provider !== provider || fault.operation !== operation || fault.remaining <= 0) continue;
      if (fault.rate !== undefined && Math.random() >= fault.rate) continue;
      fault.remaining -= 1;
      fault.hits += 1;
      return fault;
    }
    return undefined;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f, remaining: Number.isFinite(f.remaining) ? f.remaining : -1 }));
  }

  clear(): void {
    this.faults = [];
  }
}
