import { errors } from '@alpacahq/alpaca-trade-api';
import { ProviderError, type ProviderErrorKind } from '../errors.js';

// The one place Alpaca failures become ProviderErrors, for the Trading SDK's typed errors (ApiError with
// status + Alpaca code, FetchError for network/abort) and for our Broker API client, which reports the same
// `{code, message}` body through BrokerApiError.

export class BrokerApiError extends Error {
  override name = 'BrokerApiError';
  constructor(
    readonly status: number,
    readonly code: number | string | undefined,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** 422 codes that are business refusals (e.g. "order is not cancelable"), not malformed requests. */
const rejectedCodes = new Set([42210000]);

export function classifyAlpaca(status: number, code: number | string | undefined, message = ''): ProviderErrorKind {
  if (status === 401) return 'auth';
  // The Broker API answers 422 when an Idempotency-Key comes back with a different body.
  if (status === 422 && /idempotency/i.test(message)) return 'conflict';
  // Alpaca answers 403 for business refusals: insufficient buying power, qty not available, journal balance.
  if (status === 403) return 'rejected';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500 || status === 408 || status === 425) return 'unavailable';
  if (typeof code === 'number' && rejectedCodes.has(code)) return 'rejected';
  return 'invalid_request';
}

function isTimeout(error: unknown): boolean {
  const cause = error instanceof Error ? (error.cause as Error | undefined) : undefined;
  return [error, cause].some((e) => e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'));
}

export function toAlpacaError(error: unknown, operation: string): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof errors.ApiError || error instanceof BrokerApiError) {
    const kind = classifyAlpaca(error.status, error.code, error.message);
    return new ProviderError(
      'alpaca',
      kind,
      `${operation}: ${error.message}`,
      {
        status: error.status,
        code: error.code,
        retryAfterMs: error.retryAfterMs,
      },
      { cause: error },
    );
  }
  const kind = isTimeout(error) ? 'timeout' : 'unavailable';
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError('alpaca', kind, `${operation}: ${message}`, {}, { cause: error });
}

/** A failure after which the order may or may not exist at Alpaca. */
export function isAmbiguous(error: ProviderError): boolean {
  return error.kind === 'timeout' || error.kind === 'unavailable';
}
