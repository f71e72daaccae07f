import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { EncryptionCodec, encryptedEncoding, keyIdMetadataKey } from '../../src/codec/encryption.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { dataConverterOf } from '../../src/temporal.js';
import { realProviderEnv, strongPassword } from '../helpers/production-env.js';

const key = () => randomBytes(32);
const oldKey = key();
const newKey = key();
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const withdrawal = { withdrawalId: 'w-1', amountUsd: '4817.23', targetAddress: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' };

describe('the payload encryption codec', () => {
  it('round-trips a payload, metadata included, and leaves neither its value nor its encoding in the clear', async () => {
    const codec = new EncryptionCodec({ currentKeyId: 'k1', keys: new Map([['k1', oldKey]]) });
    const plain = payloadOf(withdrawal);
    const [encrypted] = await codec.encode([plain]);
    expect(text(encrypted!.metadata![METADATA_ENCODING_KEY])).toBe(encryptedEncoding);
    expect(text(encrypted!.metadata![keyIdMetadataKey])).toBe('k1');
    expect(Object.keys(encrypted!.metadata!).sort()).toEqual(['encoding', 'encryption-cipher', 'encryption-key-id']);
    expect(Buffer.from(encrypted!.data!).toString('latin1')).not.toContain('4817.23');
    expect(Buffer.from(encrypted!.data!).toString('latin1')).not.toContain('json/plain');

    const [decoded] = await codec.decode([encrypted!]);
    expect(text(decoded!.metadata![METADATA_ENCODING_KEY])).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(withdrawal);
  });

  it('encrypts the same value differently each time (a fresh nonce per payload)', async () => {
    const codec = new EncryptionCodec({ currentKeyId: 'k1', keys: new Map([['k1', oldKey]]) });
    const [a, b] = await codec.encode([payloadOf(withdrawal), payloadOf(withdrawal)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('after a rotation new payloads use the new key and a payload encrypted with the old key still decodes', async () => {
    const before = new EncryptionCodec({ currentKeyId: 'k1', keys: new Map([['k1', oldKey]]) });
    const [recorded] = await before.encode([payloadOf(withdrawal)]);

    const after = new EncryptionCodec({
      currentKeyId: 'k2',
      keys: new Map([
        ['k1', oldKey],
        ['k2', newKey],
      ]),
    });
    const [fresh] = await after.encode([payloadOf('new')]);
    expect(text(fresh!.metadata![keyIdMetadataKey])).toBe('k2');
    const [oldDecoded, newDecoded] = await after.decode([recorded!, fresh!]);
    expect(defaultPayloadConverter.fromPayload(oldDecoded!)).toEqual(withdrawal);
    expect(defaultPayloadConverter.fromPayload(newDecoded!)).toBe('new');

    // The old key retired too early: the old payload is refused by name, not decoded into garbage.
    const retired = new EncryptionCodec({ currentKeyId: 'k2', keys: new Map([['k2', newKey]]) });
    await expect(retired.decode([recorded!])).rejects.toThrow(/payload key "k1".*not configured/);
  });

  it('refuses a tampered ciphertext, a tampered tag and a payload relabelled with another key id', async () => {
    const codec = new EncryptionCodec({
      currentKeyId: 'k1',
      keys: new Map([
        ['k1', oldKey],
        ['k2', newKey],
      ]),
    });
    const [encrypted] = await codec.encode([payloadOf(withdrawal)]);
    const data = Buffer.from(encrypted!.data!);
    for (const index of [12, data.length - 1]) {
      const tampered = Buffer.from(data);
      tampered[index]! ^= 0x01;
      await expect(codec.decode([{ ...encrypted!, data: tampered }])).rejects.toThrow(/failed authentication/);
    }
    const relabelled = { ...encrypted!, metadata: { ...encrypted!.metadata, [keyIdMetadataKey]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/failed authentication/);
  });

  it('passes a payload without encryption metadata through decode unchanged (histories recorded in plain text)', async () => {
    const codec = new EncryptionCodec({ currentKeyId: 'k1', keys: new Map([['k1', oldKey]]) });
    const plain = payloadOf(withdrawal);
    const [decoded] = await codec.decode([plain]);
    expect(decoded).toBe(plain);
  });
});

describe('payload keys in configuration', () => {
  const spec = (id: string, k: Buffer) => `${id}:${k.toString('base64')}`;

  it('no keys: no codec (development); one key: it is the current one; several: the named one', async () => {
    expect(dataConverterOf(loadConfig({}))).toBeUndefined();
    const one = loadConfig({ TEMPORAL_PAYLOAD_KEYS: spec('2025-01', oldKey) });
    expect(one.TEMPORAL_PAYLOAD_KEY_ID).toBe('2025-01');
    const several = loadConfig({
      TEMPORAL_PAYLOAD_KEYS: `${spec('2025-01', oldKey)}, ${spec('2025-07', newKey)}`,
      TEMPORAL_PAYLOAD_KEY_ID: '2025-07',
    });
    const [encoded] = await dataConverterOf(several)!.payloadCodecs![0]!.encode([payloadOf(1)]);
    expect(text(encoded!.metadata![keyIdMetadataKey])).toBe('2025-07');
  });

  it('refuses a short key, a malformed entry, an unknown current key id and several keys with none named', () => {
    expect(() => loadConfig({ TEMPORAL_PAYLOAD_KEYS: spec('k', randomBytes(16)) })).toThrow(
      /TEMPORAL_PAYLOAD_KEYS: key "k" is not 32 bytes/,
    );
    expect(() => loadConfig({ TEMPORAL_PAYLOAD_KEYS: oldKey.toString('base64') })).toThrow(/TEMPORAL_PAYLOAD_KEYS/);
    expect(() => loadConfig({ TEMPORAL_PAYLOAD_KEYS: spec('k1', oldKey), TEMPORAL_PAYLOAD_KEY_ID: 'k9' })).toThrow(
      /TEMPORAL_PAYLOAD_KEY_ID "k9" is not among/,
    );
    expect(() => loadConfig({ TEMPORAL_PAYLOAD_KEYS: `${spec('k1', oldKey)},${spec('k2', newKey)}` })).toThrow(ConfigError);
  });

  it('production refuses to start without payload keys, and starts with them', () => {
    const { TEMPORAL_PAYLOAD_KEYS: _, ...withoutKeys } = realProviderEnv;
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: `postgresql://fundflow:${strongPassword}@db.internal:5432/fundflow`,
      ALPACA_TRADING_BASE_URL: '',
    };
    expect(() => loadConfig({ ...production, ...withoutKeys })).toThrow(
      /^invalid configuration: TEMPORAL_PAYLOAD_KEYS is required in production/,
    );
    expect(dataConverterOf(loadConfig({ ...production, ...realProviderEnv }))).toBeDefined();
  });
});
