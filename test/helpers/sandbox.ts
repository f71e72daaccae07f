import { loadConfig, type Config } from '../../src/config.js';
import type { FaultInput } from '../../src/sandbox/faults.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import type { EffectRecord, FillSettings } from '../../src/sandbox/state.js';
import type { Delivery } from '../../src/sandbox/webhooks.js';

// The one way tests reach the outside world: a provider sandbox on a free port, a Config whose provider base
// URLs point at it (the official SDK adapters run unchanged), and a typed client for its control API.

/** Adapters give up after this long in tests, so a `timeout` fault (held longer) costs little. */
export const testProviderTimeoutMs = 1_500;

export interface TestSandbox extends Sandbox {
  control: SandboxControl;
  /** A Config for this sandbox (see sandboxConfig). */
  config(overrides?: Record<string, string>): Config;
}

/** Starts a sandbox on a free port, accepting the credentials of the test environment's config. */
export async function startTestSandbox(opts: SandboxOptions = {}): Promise<TestSandbox> {
  const env = loadConfig({ ...process.env });
  const sandbox = await startSandbox({
    circleEntitySecret: env.CIRCLE_ENTITY_SECRET,
    firmAccountId: env.ALPACA_FIRM_ACCOUNT_ID,
    timeoutHoldMs: testProviderTimeoutMs * 2,
    ...opts,
    credentials: {
      circleApiKey: env.CIRCLE_API_KEY,
      alpacaKeyId: env.ALPACA_KEY_ID,
      alpacaSecretKey: env.ALPACA_SECRET_KEY,
      alpacaBrokerKey: env.ALPACA_BROKER_KEY,
      alpacaBrokerSecret: env.ALPACA_BROKER_SECRET,
      openaiApiKey: env.OPENAI_API_KEY,
      ...opts.credentials,
    },
  });
  return {
    ...sandbox,
    control: new SandboxControl(sandbox.url),
    config: (overrides) => sandboxConfig(sandbox.url, overrides),
  };
}

/** The environment's config with every provider base URL pointed at the sandbox at `sandboxUrl`. */
export function sandboxConfig(sandboxUrl: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    ...process.env,
    CIRCLE_WALLETS_BASE_URL: sandboxUrl,
    CIRCLE_MINT_BASE_URL: sandboxUrl,
    ALPACA_TRADING_BASE_URL: sandboxUrl,
    ALPACA_BROKER_BASE_URL: sandboxUrl,
    OPENAI_BASE_URL: `${sandboxUrl}/v1`,
    PROVIDER_TIMEOUT_MS: String(testProviderTimeoutMs),
    // The sandbox has no rate limit; the SDK's client-side budget (200/min) would only slow polling tests down.
    ALPACA_RATE_LIMIT_PER_MINUTE: '100000',
    ...overrides,
  });
}

export interface InboundTransfer {
  id: string;
  txHash: string;
  state: string;
  walletId: string;
  blockchain: string;
  amounts: string[];
  sourceAddress: string;
  destinationAddress: string;
}

/** A typed client for the sandbox control API (/sandbox/...). */
export class SandboxControl {
  constructor(readonly url: string) {}

  /** Sends USDC on chain to `toAddress`; Circle records it as INBOUND to the owning wallet and notifies. */
  async chainTransfer(input: { chain: 'ethereum' | 'solana'; toAddress: string; amount: string; finalState?: 'COMPLETE' | 'FAILED' }): Promise<InboundTransfer> {
    const body = await this.call<{ transaction: InboundTransfer }>('POST', '/sandbox/chain/transfers', input);
    return body.transaction;
  }

  async fault(input: FaultInput): Promise<{ id: string }> {
    return this.call('POST', '/sandbox/faults', input);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/sandbox/faults');
  }

  async setFills(fills: Partial<FillSettings>): Promise<FillSettings> {
    return this.call('PUT', '/sandbox/broker/fills', fills);
  }

  /** Sets the omnibus trading account's cash (= its buying power). */
  async setBrokerCash(cashUsd: string): Promise<void> {
    await this.call('PUT', '/sandbox/broker/account', { cashUsd });
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
