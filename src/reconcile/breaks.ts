import type { Db } from '../db/client.js';
import type { ReconciliationBreak } from '../generated/prisma/client.js';
import type { Break } from './checks.js';

// The breaks a scheduled reconciliation found, kept until an operator resolves them (reconciliation_breaks).
// A break is named by check + subject: while open, seeing it again updates what was expected and found and when
// it was last seen, never adds a row; once resolved, seeing it again opens a new one.

const openKeyOf = (b: Pick<Break, 'check' | 'subject'>) => `${b.check} ${b.subject}`.slice(0, 310);

/** Stores the run's breaks; answers how many are open now. */
export async function storeBreaks(db: Db, breaks: Break[]): Promise<number> {
  for (const b of breaks) {
    await db.$executeRaw`
      INSERT INTO reconciliation_breaks (check_name, subject, expected, found, open_key)
      VALUES (${b.check}, ${b.subject.slice(0, 255)}, ${b.expected}, ${b.found}, ${openKeyOf(b)})
      ON CONFLICT (open_key) DO UPDATE
        SET expected = EXCLUDED.expected, found = EXCLUDED.found, last_seen_at = CURRENT_TIMESTAMP`;
  }
  return db.reconciliationBreak.count({ where: { status: 'open' } });
}

export class BreakNotOpen extends Error {
  override name = 'BreakNotOpen';
}

/** Resolves an open break with the operator's note; undefined when there is no such break. */
export async function resolveBreak(
  db: Db,
  input: { id: string; operator: string; note: string },
): Promise<ReconciliationBreak | undefined> {
  const resolved = await db.reconciliationBreak.updateManyAndReturn({
    where: { id: input.id, status: 'open' },
    data: {
      status: 'resolved',
      openKey: null,
      resolvedAt: new Date(),
      resolvedBy: input.operator.slice(0, 255),
      resolutionNote: input.note,
    },
  });
  if (resolved[0]) return resolved[0];
  const existing = await db.reconciliationBreak.findUnique({ where: { id: input.id } });
  if (existing) throw new BreakNotOpen(`This break was resolved already (${existing.resolvedAt?.toISOString()} by ${existing.resolvedBy})`);
  return undefined;
}
