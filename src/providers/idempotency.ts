import { createHash } from 'node:crypto';

/**
 * The UUID a provider sees for one of our idempotency keys. Circle accepts only UUIDv4-formatted keys, and our
 * keys are workflow id + step, so the UUID is derived from the key (SHA-256, then the v4 version and variant
 * bits): a retried step presents the same UUID and the provider answers the first result instead of acting twice.
 */
export function idempotencyUuid(key: string): string {
  const bytes = createHash('sha256').update(`fundflow:${key}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
