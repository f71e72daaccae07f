import { HttpRequestError, HttpResponseError } from '@circle-fin/developer-controlled-wallets';
import { DeadlineExceeded } from '../deadline.js';
import { ProviderError, type ProviderErrorKind, type ProviderName } from '../errors.js';

// The one place Circle failures become ProviderErrors. Programmable Wallets throws its own numbered
// HttpResponseError classes (status + Circle code) and HttpRequestError for network failures; the Mint SDK
// throws raw AxiosErrors with `{code, message}` in the response body. Both end up in classify().

/** Business refusals: retrying the same request cannot succeed. */
const rejectedCodes = new Set([
  155201, // not enough funds
  155258, // insufficient asset amount
  155219, // invalid destination address
  155220, // wallet and token on different blockchains
  110703, // refId already exists
]);

/** Configuration problems an operator must fix (bad entity secret). */
const authCodes = new Set([156013, 156015]);

const timeoutCodes = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

function classify(status: number | undefined, code: number | string | undefined): ProviderErrorKind {
  if (status === undefined) return typeof code === 'string' && timeoutCodes.has(code) ? 'timeout' : 'unavailable';
  if (typeof code === 'number' && authCodes.has(code)) return 'auth';
  // A reused entity-secret ciphertext: the SDK encrypts afresh on the next attempt, so a retry succeeds.
  if (code === 156004) return 'unavailable';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500 || status === 408) return 'unavailable';
  if (typeof code === 'number' && rejectedCodes.has(code)) return 'rejected';
  return 'invalid_request';
}

interface AxiosLikeError extends Error {
  isAxiosError: true;
  code?: string;
  response?: { status: number; data?: unknown };
}

function isAxiosError(error: unknown): error is AxiosLikeError {
  return error instanceof Error && (error as Partial<AxiosLikeError>).isAxiosError === true;
}

export function toCircleError(provider: ProviderName, error: unknown, operation: string): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof DeadlineExceeded) {
    return new ProviderError(provider, 'timeout', `${operation}: ${error.message}`, {}, { cause: error });
  }
  let status: number | undefined;
  let code: number | string | undefined;
  let message = error instanceof Error ? error.message : String(error);
  if (error instanceof HttpResponseError) {
    status = error.status;
    code = error.code;
  } else if (error instanceof HttpRequestError) {
    code = error.code;
  } else if (isAxiosError(error)) {
    // The Mint SDK's own axios copy: recognised by its flag rather than by importing a second axios.
    status = error.response?.status;
    const body = error.response?.data as { code?: number; message?: string } | undefined;
    code = status === undefined ? error.code : body?.code;
    message = body?.message ?? message;
  }
  const kind = classify(status, code);
  return new ProviderError(provider, kind, `${operation}: ${message}`, { status, code }, { cause: error });
}
