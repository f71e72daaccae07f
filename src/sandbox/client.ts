import type { z } from 'zod';
import type { brokerWireInput, chainTransferInput } from './control.js';
import type { Fault, FaultInput } from './faults.js';
import type { EffectRecord, FillSettings } from './state.js';
import type { Delivery } from './webhooks.js';

// A typed client for the sandbox's control API, for whoever plays the outside world: tests, the benchmark and
// the chaos run.

export interface InboundTransfer {
  id: string;
  txHash: string;
  state: string;
  walletId: string;
  blockchain: string;
  /** Circle's id of the token that moved (GET /v1/w3s/tokens/{id}). */
  tokenId: string;
  amounts: string[];
  sourceAddress: string;
  destinationAddress: string;
}

/** The custody pools the sandbox enforces, in USD (the Mint balance truncated to cents). */
export interface SandboxPools {
  mintAvailableUsd: string;
  alpacaFirmCashUsd: string;
  alpacaTradingCashUsd: string;
}

/** A typed client for the sandbox control API (/sandbox/...). */
export class SandboxControl {
  constructor(readonly url: string) {}

  /**
   * Sends a token on chain to `toAddress` (USDC unless `token` / `tokenAddress` say otherwise), as a new
   * transaction or as one more transfer of the transaction `txHash`; Circle records it as INBOUND to the owning
   * wallet and notifies.
   */
  async chainTransfer(
    input: Omit<z.input<typeof chainTransferInput>, 'chain'> & { chain: 'ethereum' | 'solana' },
  ): Promise<InboundTransfer> {
    const body = await this.call<{ transaction: InboundTransfer }>('POST', '/sandbox/chain/transfers', input);
    return body.transaction;
  }

  async fault(input: FaultInput): Promise<{ id: string }> {
    return this.call('POST', '/sandbox/faults', input);
  }

  /** The armed faults with how often each hit. */
  async faults(): Promise<Fault[]> {
    return (await this.call<{ faults: Fault[] }>('GET', '/sandbox/faults')).faults;
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/sandbox/faults');
  }

  async setFills(fills: Partial<FillSettings>): Promise<FillSettings> {
    return this.call('PUT', '/sandbox/broker/fills', fills);
  }

  /**
   * A wire from a bank outside fundflow's pools arrives in an Alpaca account (`trading`: the omnibus account,
   * `firm`: the firm account): money that predates what a test or load run plays, never a stand-in for a flow.
   */
  async brokerWire(input: z.input<typeof brokerWireInput>): Promise<SandboxPools> {
    return this.call('POST', '/sandbox/broker/wires', input);
  }

  /** What each custody pool holds now. */
  async pools(): Promise<SandboxPools> {
    return this.call('GET', '/sandbox/pools');
  }

  async setWebhookUrl(webhookUrl: string | null): Promise<void> {
    await this.call('PUT', '/sandbox/settings', { webhookUrl });
  }

  async settings(input: { stepDelayMs?: number; timeoutHoldMs?: number }): Promise<void> {
    await this.call('PUT', '/sandbox/settings', input);
  }

  async effects(): Promise<{ effects: EffectRecord[]; totals: Record<string, number> }> {
    return this.call('GET', '/sandbox/effects');
  }

  /** Effects applied for one operation, under one key or in total. */
  async effectCount(provider: EffectRecord['provider'], operation: string, key?: string): Promise<number> {
    const { effects } = await this.effects();
    return effects
      .filter((e) => e.provider === provider && e.operation === operation && (key === undefined || e.key === key))
      .reduce((sum, e) => sum + e.count, 0);
  }

  /** Every key that caused more than one effect (should be empty). */
  async duplicatedEffects(): Promise<EffectRecord[]> {
    return (await this.effects()).effects.filter((e) => e.count > 1);
  }

  async webhooks(): Promise<Delivery[]> {
    return (await this.call<{ deliveries: Delivery[] }>('GET', '/sandbox/webhooks')).deliveries;
  }

  async reset(): Promise<void> {
    await this.call('POST', '/sandbox/reset');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
