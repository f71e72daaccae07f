import '../src/load-env.js';
import { loadConfigOrExit } from '../src/config.js';
import { createDb } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { createProviders } from '../src/providers/index.js';
import { breaksTable, reconcile } from '../src/reconcile/index.js';
import { step } from './lib/tools.js';

// `npm run reconcile`: the ledger and our rows against what Circle and Alpaca report, read-only, through the same
// adapters as the worker (the configured base URLs and keys decide which services). Progress goes to stderr, the
// table of breaks to stdout; the exit code is 1 when there is any break, 2 when the run itself failed.

const config = loadConfigOrExit();
const logger = createLogger(config.LOG_LEVEL, 'reconcile');
const db = createDb(config.DATABASE_URL, 2);
try {
  step(
    `reconciling ${new URL(config.DATABASE_URL).pathname.slice(1)} against Circle (${config.CIRCLE_MINT_BASE_URL}) and Alpaca (${config.ALPACA_BROKER_BASE_URL})`,
  );
  const breaks = await reconcile({ db, providers: createProviders(config, logger), config, progress: step });
  process.stdout.write(`${breaksTable(breaks)}\n`);
  process.exitCode = breaks.length > 0 ? 1 : 0;
} catch (error) {
  process.stderr.write(`reconciliation failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
} finally {
  await db.$disconnect();
}
