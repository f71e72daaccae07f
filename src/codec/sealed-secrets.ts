import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// Secrets fundflow must use again later (webhook endpoints' signing secrets) are kept sealed in the database:
// AES-256-GCM under a key from configuration, as the payload codec does for Temporal (encryption.ts). The stored
// form carries the key id beside the ciphertext, `sealed:v1:<keyId>:<base64 nonce|ciphertext|tag>`, so a rotated-out
// key still opens what it sealed while it stays configured. The key id and a context (which row the secret belongs
// to) are authenticated data: a sealed value copied onto another row, or relabelled with another key id, fails.

export interface SecretKeys {
  /** The key new secrets are sealed with; undefined when no key is configured. */
  currentKeyId: string | undefined;
  keys: ReadonlyMap<string, Buffer>;
}

const prefix = 'sealed:v1:';
const nonceBytes = 12;
const tagBytes = 16;

const aad = (keyId: string, context: string) => Buffer.from(`${keyId}\n${context}`, 'utf8');

/** The key id a stored value was sealed with, or undefined for a value stored in plain text. */
export function sealedKeyIdOf(stored: string): string | undefined {
  if (!stored.startsWith(prefix)) return undefined;
  return stored.slice(prefix.length, stored.indexOf(':', prefix.length));
}

export function sealSecret(keys: SecretKeys, secret: string, context: string): string {
  const keyId = keys.currentKeyId;
  const key = keyId && keys.keys.get(keyId);
  if (!keyId || !key) throw new Error('no current secret key is configured');
  const nonce = randomBytes(nonceBytes);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: tagBytes });
  cipher.setAAD(aad(keyId, context));
  const sealed = Buffer.concat([nonce, cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${prefix}${keyId}:${sealed.toString('base64')}`;
}

/** The secret of a stored value: opened when sealed, as is when stored in plain text (before keys were configured). */
export function openSecret(keys: SecretKeys, stored: string, context: string): string {
  const keyId = sealedKeyIdOf(stored);
  if (keyId === undefined) return stored;
  const key = keys.keys.get(keyId);
  if (!key) throw new Error(`a sealed secret needs key "${keyId}", which is not configured`);
  const data = Buffer.from(stored.slice(prefix.length + keyId.length + 1), 'base64');
  if (data.length < nonceBytes + tagBytes) throw new Error('a sealed secret is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, nonceBytes), { authTagLength: tagBytes });
  decipher.setAAD(aad(keyId, context));
  decipher.setAuthTag(data.subarray(data.length - tagBytes));
  try {
    return Buffer.concat([decipher.update(data.subarray(nonceBytes, data.length - tagBytes)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(`a sealed secret (key "${keyId}") failed authentication: altered, moved to another row, or another key`);
  }
}
