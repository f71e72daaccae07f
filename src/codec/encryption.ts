import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { PayloadKeys } from './keys.js';

// A CommonJS package: Node's ESM loader sees only its default export (a named import works under vitest only).
const { temporal } = proto;

// Every payload fundflow hands to Temporal (inputs, results, signals, updates, queries, memos, failures' details)
// leaves the process encrypted with AES-256-GCM, so the server, its database and anyone reading the Web UI without
// the codec server see ciphertext. The whole payload (its metadata too) is the plaintext; the key id travels in
// the clear beside it, so a rotated-out key still opens old history as long as it stays configured.

export const encryptedEncoding = 'binary/encrypted';
export const keyIdMetadataKey = 'encryption-key-id';
export const cipherMetadataKey = 'encryption-cipher';
const cipherName = 'AES-256-GCM';
const nonceBytes = 12;
const tagBytes = 16;

const utf8 = (value: string) => Buffer.from(value, 'utf8');
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

export class EncryptionCodec implements PayloadCodec {
  private readonly currentKey: Buffer;

  constructor(private readonly payloadKeys: PayloadKeys) {
    const key = payloadKeys.keys.get(payloadKeys.currentKeyId);
    if (!key) throw new ValueError(`the current payload key "${payloadKeys.currentKeyId}" is not among the configured keys`);
    this.currentKey = key;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const keyId = this.payloadKeys.currentKeyId;
      const nonce = randomBytes(nonceBytes);
      const cipher = createCipheriv('aes-256-gcm', this.currentKey, nonce, { authTagLength: tagBytes });
      // The key id is authenticated data: relabelling a payload with another key id fails to decrypt.
      cipher.setAAD(utf8(keyId));
      const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: utf8(encryptedEncoding),
          [keyIdMetadataKey]: utf8(keyId),
          [cipherMetadataKey]: utf8(cipherName),
        },
        data: Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Histories recorded before encryption was turned on (and running sagas started then) stay readable.
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== encryptedEncoding) return payload;
      const keyId = text(payload.metadata?.[keyIdMetadataKey]);
      if (!keyId) throw new ValueError('an encrypted payload carries no encryption-key-id');
      const key = this.payloadKeys.keys.get(keyId);
      if (!key) throw new ValueError(`an encrypted payload needs payload key "${keyId}", which is not configured`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < nonceBytes + tagBytes) throw new ValueError('an encrypted payload is too short');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, nonceBytes), { authTagLength: tagBytes });
      decipher.setAAD(utf8(keyId));
      decipher.setAuthTag(data.subarray(data.length - tagBytes));
      let plaintext: Buffer;
      try {
        plaintext = Buffer.concat([decipher.update(data.subarray(nonceBytes, data.length - tagBytes)), decipher.final()]);
      } catch {
        throw new ValueError(`an encrypted payload (key "${keyId}") failed authentication: altered, or another key`);
      }
      const decoded = temporal.api.common.v1.Payload.decode(plaintext);
      return { metadata: decoded.metadata, data: decoded.data };
    });
  }
}
