// The one error vocabulary of the provider boundary. Each adapter turns its SDK's failures into a ProviderError;
// activities turn `retryable: false` into a non-retryable Temporal failure (type = `Provider<Kind>`), so
// workflows retry what can succeed later and stop on what cannot. The mapping per provider lives beside each
// adapter; this table is the policy.

export type ProviderName = 'circle-wallets' | 'circle-mint' | 'alpaca' | 'openai';

export type ProviderErrorKind =
  | 'unavailable' // 5xx, connection refused/reset: retry
  | 'timeout' // no answer in time: retry (the effect may have happened, so retries must be idempotent)
  | 'rate_limited' // 429: retry after the hinted delay
  | 'rejected' // 4xx business rejection (insufficient funds, invalid address, order rejected): do not retry
  | 'invalid_request' // 400/422 our request is wrong: do not retry
  | 'not_found' // 404: do not retry
  | 'conflict' // idempotency key reused with a different request: do not retry
  | 'auth'; // 401/403 bad credentials: do not retry (an operator must fix configuration)

/** Whether a retry can succeed where the call failed: the one table both lists below come from. */
const retryable: Record<ProviderErrorKind, boolean> = {
  unavailable: true,
  timeout: true,
  rate_limited: true,
  rejected: false,
  invalid_request: false,
  not_found: false,
  conflict: false,
  auth: false,
};
const kinds = Object.keys(retryable) as ProviderErrorKind[];
export const retryableKinds: ReadonlySet<ProviderErrorKind> = new Set(kinds.filter((kind) => retryable[kind]));
/** The kinds no retry can fix: workflows stop retrying on their failure types (`Provider<kind>`). */
export const finalKinds: readonly ProviderErrorKind[] = kinds.filter((kind) => !retryable[kind]);

export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly retryable: boolean;

  constructor(
    readonly provider: ProviderName,
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { status?: number; code?: string | number; retryAfterMs?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = retryableKinds.has(kind);
  }
}
