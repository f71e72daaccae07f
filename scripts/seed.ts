import '../src/load-env.js';
import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/client.js';
import { seed } from '../src/db/seed.js';

const config = loadConfig();
const db = createDb(config.DATABASE_URL, 1);
try {
  const count = await seed(db);
  console.log(`seeded ${count} baskets (database ${new URL(config.DATABASE_URL).pathname.slice(1)})`);
} finally {
  await db.$disconnect();
}
