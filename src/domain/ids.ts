import { createHash } from 'node:crypto';

// Name-based ids (UUID version 5, RFC 9562: SHA-1 of namespace + name): the same business key always gives the
// same id, so a repeated request reaches the same row and the same workflow instead of creating a second one.
// Node-only (node:crypto); workflow code never needs it, it receives ids in its input.

/** fundflow's namespace: ids derived here never collide with another system's v5 ids of the same names. */
export const fundflowNamespace = '6f1c3a52-8f0e-4d7b-9a43-5b1f0e2c7d91';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

export function uuidV5(namespace: string, name: string): string {
  if (!isUuid(namespace)) throw new Error(`namespace is not a UUID: ${namespace}`);
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A deterministic id in fundflow's namespace for a business key, e.g. `${userId}/withdrawal/${key}`. */
export function deterministicId(name: string): string {
  return uuidV5(fundflowNamespace, name);
}
