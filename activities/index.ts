import type { Config } from '../src/config.js';
import type { Db } from '../src/db/client.js';
import type { Logger } from '../src/logger.js';
import type { Providers } from '../src/providers/ports.js';
import { createFundingActivities } from './funding/index.js';
import { createOrderActivities } from './orders/index.js';
import { createSummaryActivities } from './summaries/index.js';

/** What every activity factory receives; tests pass the same, with sandbox-backed providers. */
export interface ActivityDeps {
  db: Db;
  providers: Providers;
  config: Config;
  logger: Logger;
}

/** All activities the worker registers; each area's factory adds its own (names are unique across areas). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createFundingActivities(deps),
    ...createOrderActivities(deps),
    ...createSummaryActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
