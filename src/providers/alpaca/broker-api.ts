import { BrokerApiError } from './errors.js';

// A small typed client for the part of Alpaca's Broker API that no official JS SDK covers (journals). It works
// like the Trading SDK: HTTP Basic auth, a per-attempt timeout, retries with exponential backoff for GET only
// (on 408/425/429/5xx and network errors, honouring Retry-After); POSTs go once, made safe by Idempotency-Key.

export interface BrokerApiOptions {
  baseUrl: string;
  key: string;
  secret: string;
  timeoutMs: number;
  maxRetries?: number;
  retryDelayMs?: number;
}

const retryableStatuses = new Set([408, 425, 429, 500, 502, 503, 504]);

export class BrokerApi {
  private readonly authorization: string;

  constructor(private readonly options: BrokerApiOptions) {
    this.authorization = `Basic ${Buffer.from(`${options.key}:${options.secret}`).toString('base64')}`;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown, idempotencyKey: string): Promise<T> {
    return this.request<T>('POST', path, body, idempotencyKey);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
    const url = `${this.options.baseUrl.replace(/\/$/, '')}${path}`;
    const maxRetries = method === 'GET' ? (this.options.maxRetries ?? 2) : 0;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            authorization: this.authorization,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
      } catch (error) {
        // A timeout is not retried here (as in the SDK): the caller decides, knowing the effect may have happened.
        if (attempt < maxRetries && !(error instanceof Error && error.name === 'TimeoutError')) {
          await this.backoff(attempt);
          continue;
        }
        throw error;
      }
      const text = await res.text();
      if (res.ok) return (text ? JSON.parse(text) : undefined) as T;
      const retryAfterMs = retryAfter(res.headers.get('retry-after'));
      if (attempt < maxRetries && retryableStatuses.has(res.status)) {
        await this.backoff(attempt, retryAfterMs);
        continue;
      }
      let parsed: { code?: number | string; message?: string } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        // not JSON (a proxy's error page): keep the status
      }
      throw new BrokerApiError(res.status, parsed.code, parsed.message ?? `HTTP ${res.status}`, retryAfterMs);
    }
  }

  private backoff(attempt: number, hintMs?: number): Promise<void> {
    const base = (this.options.retryDelayMs ?? 250) * 2 ** attempt;
    const jittered = Math.min(base, 5_000) * (0.8 + Math.random() * 0.4);
    return new Promise((resolve) => setTimeout(resolve, hintMs ?? jittered));
  }
}

function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
