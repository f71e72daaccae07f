import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { ensureDatabase, migrate } from '../../src/db/migrate.js';
import { freePort, step } from '../../scripts/lib/tools.js';
import { startTemporalServer, temporalTopology, type TemporalServer } from '../../scripts/lib/temporal-server.js';
import { resolveDatabase } from '../../scripts/lib/postgres.js';

// One Temporal dev server (in memory) and one freshly migrated database per test run, so tests never touch
// development data and two runs never see each other's rows. The database lives on TEST_DATABASE_ADMIN_URL's
// server when it is set, else on 127.0.0.1:5432 when a PostgreSQL answers there, else on an embedded PostgreSQL
// started for this run (a temporary data folder, removed at the end).

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The embedded server's data folder must be reachable by the unprivileged user it runs as (mkdtemp makes 0700).
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'fundflow-test-pg-'));
  await chmod(scratch, 0o711);
  const database = await resolveDatabase({
    configuredUrl: process.env.TEST_DATABASE_ADMIN_URL,
    defaultUrl: 'postgresql://root@127.0.0.1:5432/postgres',
    dataDir: path.join(scratch, 'data'),
    port: await freePort(),
  });
  step(database.message);
  const adminUrl = database.url;
  const name = `fundflow_test_${Date.now()}_${process.pid}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();

  step(`test database ${name}`);
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);

  // TEMPORAL_TOPOLOGY=server: the full Temporal server instead, on two databases of this run beside the test database.
  const fullServer = temporalTopology() === 'server';
  step(
    fullServer
      ? `starting the full Temporal server for this run (databases temporal_${name}, …_visibility)`
      : 'starting the Temporal dev server for this run (in memory)',
  );
  const temporal: TemporalServer = await startTemporalServer({
    port: await freePort(),
    quiet: true,
    store: { postgresUrl: adminUrl, database: `temporal_${name}`, dropOnStop: true },
  });

  project.provide('databaseUrl', databaseUrl);
  project.provide('temporalAddress', temporal.address);

  return async () => {
    await temporal.stop();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.end();
    await database.stop();
    await rm(scratch, { recursive: true, force: true });
  };
}
