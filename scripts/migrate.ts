import '../src/load-env.js';
import { loadConfigOrExit } from '../src/config.js';
import { ensureDatabase, migrate } from '../src/db/migrate.js';

const config = loadConfigOrExit();
const target = new URL(config.DATABASE_URL);
if (await ensureDatabase(config.DATABASE_URL)) console.log(`created database ${target.pathname.slice(1)}`);
const result = await migrate(config.DATABASE_URL, { log: (line) => console.log(line) });
console.log(
  `migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied ` +
    `(database ${target.host}${target.pathname})`,
);
