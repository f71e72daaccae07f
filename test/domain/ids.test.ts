import { describe, expect, it } from 'vitest';
import { deterministicId, isUuid, uuidV5 } from '../../src/domain/ids.js';

describe('deterministic ids', () => {
  it('matches the RFC 9562 name-based (v5) example', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives the same id for the same business key and another for another key', () => {
    const a = deterministicId('user-1/withdrawal/key-1');
    expect(deterministicId('user-1/withdrawal/key-1')).toBe(a);
    expect(deterministicId('user-1/withdrawal/key-2')).not.toBe(a);
    expect(isUuid(a)).toBe(true);
    expect(a[14]).toBe('5');
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('not-a-uuid', 'x')).toThrow();
  });
});
