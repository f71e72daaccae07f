import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { ensureDatabase, migrate } from '../../src/db/migrate.js';
import { freePort, step } from '../../scripts/lib/tools.js';
import { startTemporalServer, type TemporalServer } from '../../scripts/lib/temporal-server.js';

// One Temporal dev server (in memory) and one freshly migrated database per test run, so tests never touch
// development data and two runs never see each other's rows.

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
  }
}

const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = `fundflow_test_${Date.now()}_${process.pid}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();

  step(`test database ${name}`);
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);

  step('starting the Temporal dev server for this run (in memory)');
  const temporal: TemporalServer = await startTemporalServer({ port: await freePort(), quiet: true });

  project.provide('databaseUrl', databaseUrl);
  project.provide('temporalAddress', temporal.address);

  return async () => {
    await temporal.stop();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.end();
  };
}
