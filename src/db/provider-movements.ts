import type { MovementLog } from '../providers/recorded.js';
import { Prisma, type Db } from './client.js';
import { execute } from './raw.js';

/** The provider_movements table as the decorator's log: one row per (provider, provider id), first answer kept. */
export function providerMovementLog(db: Db): MovementLog {
  return {
    async record(m) {
      await execute(
        db,
        Prisma.sql`
        INSERT INTO provider_movements (provider, kind, provider_id, idempotency_key, amount, asset, details)
        VALUES (${m.provider}, ${m.kind}, ${m.providerId}, ${m.idempotencyKey}, ${m.amount}::numeric, ${m.asset}, ${JSON.stringify(m.details)}::jsonb)
        ON CONFLICT (provider, provider_id) DO NOTHING`,
      );
    },
  };
}
