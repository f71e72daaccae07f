/** Raised by withDeadline; each adapter's error mapping turns it into a retryable `timeout`. */
export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
}

/**
 * Bounds a call whose SDK has no timeout option of its own (Circle Programmable Wallets). The request itself is
 * left to finish in the background; the caller treats the outcome as unknown and retries idempotently.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
