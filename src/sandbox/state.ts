import { createHash } from 'node:crypto';
import type { Logger } from '../logger.js';
import { FaultRegistry, type SandboxProvider } from './faults.js';

// Everything the sandbox remembers, in memory, for one process: the effects it applied (so a test can prove
// nothing happened twice), the idempotency records each provider keeps, the faults, and the timers that move
// transfers and orders along (cleared on stop and on reset).

export interface SandboxCredentials {
  circleApiKey: string;
  alpacaKeyId: string;
  alpacaSecretKey: string;
  alpacaBrokerKey: string;
  alpacaBrokerSecret: string;
  openaiApiKey: string;
}

export interface SandboxSettings {
  credentials: SandboxCredentials;
  /** The configured entity secret (hex); ciphertexts that decrypt to anything else get 156013. */
  circleEntitySecret?: string;
  webhookUrl?: string;
  /** Delay between two states of a transfer, payout, deposit or journal. */
  stepDelayMs: number;
  /** How long a `timeout` fault holds its answer (adapters' timeouts should be shorter). */
  timeoutHoldMs: number;
  /** Delays between webhook delivery attempts after a non-2xx answer. */
  webhookRetryDelaysMs: number[];
}

export interface FillSettings {
  /** Price per symbol (decimal strings); other symbols get a deterministic price derived from the symbol. */
  prices: Record<string, string>;
  /** Fraction (0..1] of each order that fills; below 1 the order stays partially_filled until canceled. */
  partialFillRatio: number;
  /** Delay from acceptance to fill; undefined = the sandbox's step delay. */
  fillDelayMs?: number;
  /** Orders for these symbols are accepted, then rejected. */
  rejectSymbols: string[];
  /** Share [0..1] of an order's open rest that still fills while it is pending_cancel (default 0). */
  fillOnCancelRatio?: number;
  /** Delay between the steps of a cancel (pending_cancel, the last fill, canceled); undefined = the step delay. */
  cancelDelayMs?: number;
}

export interface EffectRecord {
  provider: SandboxProvider | 'chain';
  operation: string;
  key: string;
  /** Effects actually applied under this key (1 for an idempotent replay). */
  count: number;
  /** Requests that presented this key (replays included). */
  requests: number;
}

export interface IdempotentRecord {
  fingerprint: string;
  status: number;
  body: unknown;
}

export const defaultFills = (): FillSettings => ({ prices: {}, partialFillRatio: 1, rejectSymbols: [] });

export class SandboxState {
  readonly faults = new FaultRegistry();
  fills: FillSettings = defaultFills();
  private effects = new Map<string, EffectRecord>();
  private idempotency = new Map<string, IdempotentRecord>();
  private timers = new Set<NodeJS.Timeout>();
  private resetHooks: (() => void)[] = [];

  constructor(
    readonly settings: SandboxSettings,
    readonly logger: Logger,
  ) {}

  /** Counts a request under its idempotency key; `applied` when it caused a new effect. */
  recordEffect(provider: EffectRecord['provider'], operation: string, key: string, applied: boolean): void {
    const id = `${provider}\u0000${operation}\u0000${key}`;
    const record = this.effects.get(id) ?? { provider, operation, key, count: 0, requests: 0 };
    record.requests += 1;
    if (applied) record.count += 1;
    this.effects.set(id, record);
  }

  listEffects(): EffectRecord[] {
    return [...this.effects.values()].map((e) => ({ ...e }));
  }

  /**
   * Looks up an idempotency key within one provider's operation. Returns the stored answer for the same request,
   * 'conflict' for the same key with a different request, or undefined for a new key.
   */
  replay(scope: string, key: string, request: unknown): IdempotentRecord | 'conflict' | undefined {
    const stored = this.idempotency.get(`${scope}\u0000${key}`);
    if (!stored) return undefined;
    return stored.fingerprint === fingerprint(request) ? stored : 'conflict';
  }

  remember(scope: string, key: string, request: unknown, status: number, body: unknown): void {
    this.idempotency.set(`${scope}\u0000${key}`, { fingerprint: fingerprint(request), status, body });
  }

  /** Runs `fn` later unless the sandbox stops or resets first. */
  schedule(fn: () => void, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        fn();
      } catch (error) {
        this.logger.error({ err: error }, 'sandbox timer failed');
      }
    }, delayMs);
    this.timers.add(timer);
  }

  /** Runs `steps` one after another, `delayMs` apart (the first after one delay). */
  scheduleSteps(steps: (() => void)[], delayMs: number = this.settings.stepDelayMs): void {
    steps.forEach((step, i) => this.schedule(step, delayMs * (i + 1)));
  }

  onReset(hook: () => void): void {
    this.resetHooks.push(hook);
  }

  cancelTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  reset(): void {
    this.cancelTimers();
    this.faults.clear();
    this.fills = defaultFills();
    this.effects.clear();
    this.idempotency.clear();
    for (const hook of this.resetHooks) hook();
  }
}

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
