import { inspect } from 'node:util';

/**
 * Polls `read` until it returns a value for which `done` holds (by default: any value but undefined) and returns
 * it; after `timeoutMs` it fails with the last value read, so the message shows what was there instead.
 * The sandbox and the sagas move on timers, so tests wait for outcomes rather than sleep.
 */
export async function eventually<T>(
  read: () => Promise<T | undefined>,
  done: (value: T) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms; last value: ${inspect(value, { depth: 4 })}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
