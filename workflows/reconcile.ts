import { proxyActivities, sleep } from '@temporalio/workflow';
import type { createReconcileActivities, ReconciliationResult } from '../activities/reconcile/index.js';
import type { Break } from '../src/reconcile/checks.js';

// The reconciliation against the providers, run by the schedule `reconciliation` (src/schedules/reconcile.ts)
// or by hand. A reconciliation compares one moment, and a saga in flight has moved money at one side and not yet
// booked it at the other: so a break counts only when a second look, `confirmAfterSeconds` later, finds it again
// unchanged (same check, subject, expected and found). Money in flight moves on and drops out; a real break (or
// a saga parked mid-movement, which deserves an operator's eye too) stays and is stored.

const { findBreaks, recordBreaks } = proxyActivities<ReturnType<typeof createReconcileActivities>>({
  // Reading every pool and every listed movement takes a while on a large book; providers' 5xx heal by retrying.
  startToCloseTimeout: '15 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '2 minutes', maximumAttempts: 5 },
});

export interface ReconciliationInput {
  /** How long to wait before the second look (default 120 s). */
  confirmAfterSeconds?: number;
}

const sameBreak = (a: Break, b: Break) =>
  a.check === b.check && a.subject === b.subject && a.expected === b.expected && a.found === b.found;

export async function reconciliationWorkflow(input: ReconciliationInput = {}): Promise<ReconciliationResult> {
  const first = await findBreaks();
  if (first.length === 0) return recordBreaks({ breaks: [], passing: 0 });
  await sleep((input.confirmAfterSeconds ?? 120) * 1000);
  const second = await findBreaks();
  const confirmed = second.filter((b) => first.some((f) => sameBreak(f, b)));
  return recordBreaks({ breaks: confirmed, passing: first.length + second.length - 2 * confirmed.length });
}
