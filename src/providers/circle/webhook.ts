import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Config } from '../../config.js';

// Verifies Circle's v2 notifications: an ECDSA P-256 / SHA-256 signature (X-Circle-Signature, base64 DER) over
// the raw request body, made with the key named by X-Circle-Key-Id. Keys are fetched once per key id and kept:
// Circle rotates by issuing a new id, never by changing an existing one.

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

const keyCache = new WeakMap<CirclePublicKeyFetcher, Map<string, Promise<KeyObject>>>();

function publicKeyFor(fetchPublicKey: CirclePublicKeyFetcher, keyId: string): Promise<KeyObject> {
  let cache = keyCache.get(fetchPublicKey);
  if (!cache) keyCache.set(fetchPublicKey, (cache = new Map()));
  let key = cache.get(keyId);
  if (!key) {
    key = fetchPublicKey(keyId).then((der) => createPublicKey({ key: Buffer.from(der, 'base64'), format: 'der', type: 'spki' }));
    // A failed fetch is not remembered: the next notification tries again.
    key.catch(() => cache.delete(keyId));
    cache.set(keyId, key);
  }
  return key;
}

/** True when the body carries a valid Circle signature; false for a missing/unknown key or a bad signature. */
export async function verifyCircleWebhook(
  rawBody: Buffer,
  headers: CircleWebhookHeaders,
  fetchPublicKey: CirclePublicKeyFetcher,
): Promise<boolean> {
  const signature = header(headers, 'x-circle-signature');
  const keyId = header(headers, 'x-circle-key-id');
  if (!signature || !keyId || !/^[\w-]{1,128}$/.test(keyId)) return false;
  let key: KeyObject;
  try {
    key = await publicKeyFor(fetchPublicKey, keyId);
  } catch {
    return false;
  }
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
export function circleWebhookVerifier(config: Config): (input: { rawBody: Buffer; signature: string | undefined; keyId: string | undefined }) => Promise<boolean> {
  const fetchPublicKey = circlePublicKeyFetcher(config);
  return ({ rawBody, signature, keyId }) =>
    verifyCircleWebhook(rawBody, { 'x-circle-signature': signature, 'x-circle-key-id': keyId }, fetchPublicKey);
}
