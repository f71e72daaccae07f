import { reconciliationBreaksOpen } from '../../src/metrics.js';
import { storeBreaks } from '../../src/reconcile/breaks.js';
import { reconcile, type Break } from '../../src/reconcile/index.js';
import { translated } from '../failures.js';
import type { ActivityDeps } from '../index.js';

export interface ReconciliationResult {
  /** Breaks this run confirmed (seen twice, unchanged). */
  breaks: number;
  /** Breaks seen once only: money in flight at the first or the second look. */
  passing: number;
  /** Breaks open after it (found now, or earlier and not resolved). */
  open: number;
}

/** At most this many breaks travel through the workflow's history per look; the rest wait for the next run. */
const breaksPerLook = 500;

// The scheduled reconciliation (workflows/reconcile.ts): read-only looks at the providers, then the confirmed
// breaks stored once each (reconciliation_breaks), the open ones counted in fundflow_reconciliation_breaks_open
// and logged. Safe to retry: reading twice changes nothing, storing a break again updates its row.
export function createReconcileActivities({ db, providers, config, logger }: ActivityDeps) {
  const log = logger.child({ area: 'reconcile' });
  return {
    async findBreaks(): Promise<Break[]> {
      return translated(async () =>
        (await reconcile({ db, providers, config, progress: (message) => log.debug(message) })).slice(0, breaksPerLook),
      );
    },

    async recordBreaks({ breaks, passing }: { breaks: Break[]; passing: number }): Promise<ReconciliationResult> {
      return translated(async () => {
        const open = await storeBreaks(db, breaks);
        const byCheck = await db.reconciliationBreak.groupBy({ by: ['checkName'], where: { status: 'open' }, _count: true });
        reconciliationBreaksOpen.reset();
        for (const row of byCheck) reconciliationBreaksOpen.set({ check: row.checkName }, row._count);
        const line = { found: breaks.length, passing, open, checks: Object.fromEntries(byCheck.map((r) => [r.checkName, r._count])) };
        if (breaks.length > 0) log.warn({ ...line, breaks: breaks.slice(0, 20) }, 'reconciliation found breaks');
        else log.info(line, 'reconciliation clean');
        return { breaks: breaks.length, passing, open };
      });
    },
  };
}
