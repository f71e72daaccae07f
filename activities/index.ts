import type { Config } from '../src/config.js';
import type { Db } from '../src/db/client.js';
import type { Logger } from '../src/logger.js';
import { providerMovementLog } from '../src/db/provider-movements.js';
import type { Providers } from '../src/providers/ports.js';
import { recordingMovements } from '../src/providers/recorded.js';
import { createFundingActivities } from './funding/index.js';
import { createMaintenanceActivities } from './maintenance/index.js';
import { createOrderActivities } from './orders/index.js';
import { createReconcileActivities } from './reconcile/index.js';
import { createSummaryActivities } from './summaries/index.js';
import { createWebhookActivities } from './webhooks/index.js';

/** What every activity factory receives; tests pass the same, with sandbox-backed providers. */
export interface ActivityDeps {
  db: Db;
  providers: Providers;
  config: Config;
  logger: Logger;
}

/**
 * All activities the worker registers; each area's factory adds its own (names are unique across areas). Every
 * money-moving provider call they make is recorded in provider_movements (src/providers/recorded.ts).
 */
export function createActivities(deps: ActivityDeps) {
  const recorded = { ...deps, providers: recordingMovements(deps.providers, providerMovementLog(deps.db)) };
  return {
    ...createFundingActivities(recorded),
    ...createOrderActivities(recorded),
    ...createSummaryActivities(recorded),
    ...createMaintenanceActivities(deps),
    ...createReconcileActivities(deps),
    ...createWebhookActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
