import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Config } from '../../config.js';

// Verifies Circle's v2 notifications: an ECDSA P-256 / SHA-256 signature (X-Circle-Signature, base64 DER) over
// the raw request body, made with the key named by X-Circle-Key-Id. Keys are fetched once per key id and kept:
// Circle rotates by issuing a new id, never by changing an existing one. Ids Circle does not know are remembered
// for a TTL and fetches of new ids are budgeted, so made-up ids cannot spend our Circle API quota.

export type CirclePublicKeyFetcher = (keyId: string) => Promise<string>;

export type CircleWebhookHeaders = Record<string, string | string[] | undefined> | { get(name: string): string | null | undefined };

function header(headers: CircleWebhookHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null | undefined }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const value = record[name] ?? Object.entries(record).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

export interface CircleKeyCacheOptions {
  /** How long a key id Circle would not give us is refused without asking again. */
  unknownKeyTtlMs?: number;
  /** Fetches of not-yet-known key ids per minute (per fetcher, i.e. per API process); beyond it: refused. */
  keyFetchesPerMinute?: number;
  now?: () => number;
}

const defaultUnknownKeyTtlMs = 5 * 60_000;
const defaultKeyFetchesPerMinute = 30;
// Bounds the memory a flood of distinct made-up ids can take; the oldest entries go first.
const maxUnknownKeys = 10_000;

interface KeyCache {
  keys: Map<string, Promise<KeyObject>>;
  /** Key id → until when it is refused without asking Circle (epoch ms). */
  unknown: Map<string, number>;
  windowStartedAt: number;
  fetchesInWindow: number;
}

const keyCaches = new WeakMap<CirclePublicKeyFetcher, KeyCache>();

/** The key for an id; undefined when the id is unknown (remembered for a TTL) or the fetch budget is spent. */
async function publicKeyFor(
  fetchPublicKey: CirclePublicKeyFetcher,
  keyId: string,
  options: CircleKeyCacheOptions,
): Promise<KeyObject | undefined> {
  const now = options.now?.() ?? Date.now();
  let cache = keyCaches.get(fetchPublicKey);
  if (!cache) keyCaches.set(fetchPublicKey, (cache = { keys: new Map(), unknown: new Map(), windowStartedAt: now, fetchesInWindow: 0 }));
  const known = cache.keys.get(keyId);
  if (known) return known.catch(() => undefined);

  const refusedUntil = cache.unknown.get(keyId);
  if (refusedUntil !== undefined && refusedUntil > now) return undefined;
  cache.unknown.delete(keyId);

  // Circle issues a new id only when it rotates, so a burst of ids we do not know is someone guessing: each
  // distinct id would otherwise cost a call on our Circle API key.
  if (now - cache.windowStartedAt >= 60_000) {
    cache.windowStartedAt = now;
    cache.fetchesInWindow = 0;
  }
  if (cache.fetchesInWindow >= (options.keyFetchesPerMinute ?? defaultKeyFetchesPerMinute)) return undefined;
  cache.fetchesInWindow++;

  const key = fetchPublicKey(keyId).then((der) => createPublicKey({ key: Buffer.from(der, 'base64'), format: 'der', type: 'spki' }));
  cache.keys.set(keyId, key);
  try {
    return await key;
  } catch {
    // Not kept as a key; remembered as unknown for a while (a real key that failed to load is retried after the
    // TTL, and Circle redelivers for much longer than that).
    cache.keys.delete(keyId);
    if (cache.unknown.size >= maxUnknownKeys) cache.unknown.delete(cache.unknown.keys().next().value!);
    cache.unknown.set(keyId, now + (options.unknownKeyTtlMs ?? defaultUnknownKeyTtlMs));
    return undefined;
  }
}

/** True when the body carries a valid Circle signature; false for a missing/unknown key or a bad signature. */
export async function verifyCircleWebhook(
  rawBody: Buffer,
  headers: CircleWebhookHeaders,
  fetchPublicKey: CirclePublicKeyFetcher,
  options: CircleKeyCacheOptions = {},
): Promise<boolean> {
  const signature = header(headers, 'x-circle-signature');
  const keyId = header(headers, 'x-circle-key-id');
  if (!signature || !keyId || !/^[\w-]{1,128}$/.test(keyId)) return false;
  const key = await publicKeyFor(fetchPublicKey, keyId, options);
  if (!key) return false;
  try {
    return verify('sha256', rawBody, key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** Fetches a notification public key (base64 DER SPKI) from CIRCLE_WALLETS_BASE_URL. */
export function circlePublicKeyFetcher(config: Config): CirclePublicKeyFetcher {
  return async (keyId) => {
    const url = `${config.CIRCLE_WALLETS_BASE_URL.replace(/\/$/, '')}/v2/notifications/publicKey/${encodeURIComponent(keyId)}`;
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${config.CIRCLE_API_KEY}`, accept: 'application/json' },
      signal: AbortSignal.timeout(config.PROVIDER_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`Circle public key ${keyId}: HTTP ${res.status}`);
    const body = (await res.json()) as { data?: { publicKey?: string; algorithm?: string } };
    if (!body.data?.publicKey) throw new Error(`Circle public key ${keyId}: no key in the answer`);
    return body.data.publicKey;
  };
}

/** The verifier the API's webhook route takes: `{rawBody, signature, keyId}` → verified. */
export function circleWebhookVerifier(
  config: Config,
): (input: { rawBody: Buffer; signature: string | undefined; keyId: string | undefined }) => Promise<boolean> {
  const fetchPublicKey = circlePublicKeyFetcher(config);
  const options = {
    unknownKeyTtlMs: config.CIRCLE_WEBHOOK_UNKNOWN_KEY_TTL_SECONDS * 1000,
    keyFetchesPerMinute: config.CIRCLE_WEBHOOK_KEY_FETCHES_PER_MINUTE,
  };
  return ({ rawBody, signature, keyId }) =>
    verifyCircleWebhook(rawBody, { 'x-circle-signature': signature, 'x-circle-key-id': keyId }, fetchPublicKey, options);
}
