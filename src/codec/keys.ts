// Payload encryption keys from configuration (TEMPORAL_PAYLOAD_KEYS, TEMPORAL_PAYLOAD_KEY_ID); no Temporal imports, so
// src/config.ts can parse them without loading the SDK.

export const payloadKeyBytes = 32;

export interface PayloadKeys {
  /** The key new payloads are encrypted with. */
  currentKeyId: string;
  /** Every key that may have encrypted a payload still in history, by id (the current one included). */
  keys: ReadonlyMap<string, Buffer>;
}

/**
 * `id:base64key,id:base64key` (each key 32 bytes) as a key map, or the reason it is not one. Ids are what the
 * payloads carry: short, stable names such as `2025-06`, never the key.
 */
export function parsePayloadKeys(spec: string): Map<string, Buffer> | string {
  const keys = new Map<string, Buffer>();
  for (const entry of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator).trim();
    const encoded = entry.slice(separator + 1).trim();
    if (separator <= 0 || !/^[A-Za-z0-9._-]{1,64}$/.test(id))
      return `"${entry.slice(0, 12)}…" is not id:base64key (id: letters, digits, . _ -)`;
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== payloadKeyBytes || key.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
      return `key "${id}" is not ${payloadKeyBytes} bytes of base64 (openssl rand -base64 32)`;
    }
    if (keys.has(id)) return `key id "${id}" appears twice`;
    keys.set(id, key);
  }
  return keys;
}
