import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { openSecret, sealedKeyIdOf, sealSecret, type SecretKeys } from '../codec/sealed-secrets.js';

// Webhook endpoints' signing secrets at rest (webhook_endpoints.secret): sealed with WEBHOOK_SECRET_KEYS (src/codec/
// sealed-secrets.ts), bound to their endpoint's id. Without keys (development, tests) they stay plain text, as
// payloads do; production refuses to start without keys. Rows written before keys were configured, or sealed with
// a key that is no longer current, are re-sealed by `resealWebhookSecrets` at every worker start.

export type WebhookSecretConfig = Pick<Config, 'WEBHOOK_SECRET_KEYS' | 'WEBHOOK_SECRET_KEY_ID'>;

const keysOf = (config: WebhookSecretConfig): SecretKeys => ({
  currentKeyId: config.WEBHOOK_SECRET_KEYS.size > 0 ? config.WEBHOOK_SECRET_KEY_ID : undefined,
  keys: config.WEBHOOK_SECRET_KEYS,
});
const contextOf = (endpointId: string) => `webhook_endpoints.secret:${endpointId}`;

/** What to store for a new secret of `endpointId`. */
export function storedWebhookSecret(config: WebhookSecretConfig, endpointId: string, secret: string): string {
  const keys = keysOf(config);
  return keys.currentKeyId ? sealSecret(keys, secret, contextOf(endpointId)) : secret;
}

/** The signing secret of a stored endpoint row. */
export function webhookSecretOf(config: WebhookSecretConfig, endpoint: { id: string; secret: string }): string {
  return openSecret(keysOf(config), endpoint.secret, contextOf(endpoint.id));
}

/**
 * Seals every secret stored in plain text or under a key that is not the current one (rotation), each with a
 * conditional update so a concurrent change wins. Answers how many it re-sealed (none without keys) and the
 * endpoints whose secret none of the configured keys opens: left as they are, since a worker start must not fail on
 * a webhook endpoint (their deliveries fail, logged, until the key is configured again). `endpointIds` limits it to
 * those endpoints (tests that share one database).
 */
export async function resealWebhookSecrets(
  db: Db,
  config: WebhookSecretConfig,
  { endpointIds }: { endpointIds?: string[] } = {},
): Promise<{ resealed: number; unreadable: string[] }> {
  const keys = keysOf(config);
  const outcome = { resealed: 0, unreadable: [] as string[] };
  if (!keys.currentKeyId) return outcome;
  const rows = await db.webhookEndpoint.findMany({
    where: { NOT: { secret: { startsWith: `sealed:v1:${keys.currentKeyId}:` } }, ...(endpointIds ? { id: { in: endpointIds } } : {}) },
    select: { id: true, secret: true },
  });
  for (const row of rows) {
    if (sealedKeyIdOf(row.secret) === keys.currentKeyId) continue;
    let plain: string;
    try {
      plain = webhookSecretOf(config, row);
    } catch {
      outcome.unreadable.push(row.id);
      continue;
    }
    const secret = storedWebhookSecret(config, row.id, plain);
    const { count } = await db.webhookEndpoint.updateMany({ where: { id: row.id, secret: row.secret }, data: { secret } });
    outcome.resealed += count;
  }
  return outcome;
}
