import { proxyActivities } from '@temporalio/workflow';
import type { createReconcileActivities, ReconciliationResult } from '../activities/reconcile/index.js';

// The reconciliation against the providers, run by the schedule `reconciliation` (src/schedules/reconcile.ts)
// or by hand: one activity reads the providers and our books and stores the breaks (activities/reconcile/).

const { reconcileWithProviders } = proxyActivities<ReturnType<typeof createReconcileActivities>>({
  // Reading every pool and every listed movement takes a while on a large book; providers' 5xx heal by retrying.
  startToCloseTimeout: '15 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '2 minutes', maximumAttempts: 5 },
});

export async function reconciliationWorkflow(): Promise<ReconciliationResult> {
  return reconcileWithProviders();
}
