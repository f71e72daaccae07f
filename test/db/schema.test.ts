import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureDatabase, migrate, readMigrations } from '../../src/db/migrate.js';
import { readCatalog, withoutTables, type Catalog } from '../helpers/catalog.js';
import { readPrismaSchema, schemaDrift } from '../helpers/prisma-schema.js';

// The tables fundflow adds to the seed; README "Tables beyond the seed" says why each exists.
const tablesBeyondSeed = [
  '_prisma_migrations',
  'idempotency_keys',
  'order_legs',
  'inbound_transfers',
  'unallocated_funds',
  'passcode_attempts',
  'operator_audit_log',
  'rate_limits',
  'circle_notifications',
  'provider_movements',
  'reconciliation_breaks',
  'ledger_transactions',
  'ledger_postings',
  'events',
  'webhook_endpoints',
  'webhook_deliveries',
  'webhook_delivery_attempts',
] as const;
const enumsBeyondSeed = ['inbound_disposition', 'unallocated_kind'] as const;
const functionsBeyondSeed = [
  'fundflow_require',
  'fundflow_operator_audit_append_only',
  'fundflow_ledger_balanced',
  'fundflow_ledger_not_empty',
  'fundflow_ledger_append_only',
  'fundflow_record_event',
  'fundflow_status_event',
  'fundflow_events_horizon',
] as const;
/** The event outbox's triggers on seed tables (migration 20261202030000_events). */
const triggersBeyondSeed = [
  'fundflow_deposits_status_event',
  'fundflow_deposits_status_change_event',
  'fundflow_withdrawals_status_event',
  'fundflow_withdrawals_status_change_event',
  'fundflow_orders_status_event',
  'fundflow_orders_status_change_event',
  'fundflow_wallets_status_event',
  'fundflow_wallets_status_change_event',
  'fundflow_users_kyc_status_event',
  'fundflow_ai_summaries_event',
] as const;
const without = <T>(record: Record<string, T>, names: readonly string[]) =>
  Object.fromEntries(Object.entries(record).filter(([name]) => !names.includes(name)));

const seedFile = path.resolve(import.meta.dirname, '../../../shared/seed/05-database-schema.md');

function seedDdl(): string {
  const markdown = readFileSync(seedFile, 'utf8');
  const block = /```sql\n([\s\S]*?)```/.exec(markdown);
  if (!block?.[1]) throw new Error(`no sql block in ${seedFile}`);
  return block[1];
}

function scratchUrl(base: string, suffix: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname}_${suffix}`;
  return url.toString();
}

async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  await admin.end();
}

describe('the migrated database', () => {
  const migratedUrl = inject('databaseUrl');
  let migrated: Catalog;

  beforeAll(async () => {
    migrated = await readCatalog(migratedUrl);
  });

  describe.skipIf(!existsSync(seedFile))('against the seed DDL', () => {
    const seedUrl = scratchUrl(migratedUrl, 'seed');
    let seed: Catalog;

    beforeAll(async () => {
      await ensureDatabase(seedUrl);
      const client = new pg.Client({ connectionString: seedUrl });
      await client.connect();
      await client.query(seedDdl());
      await client.end();
      seed = await readCatalog(seedUrl);
    });
    afterAll(() => dropDatabase(seedUrl));

    it('has the same extensions, enum types and value order', () => {
      expect(migrated.extensions).toEqual(seed.extensions);
      expect(without(migrated.enums, enumsBeyondSeed)).toEqual(seed.enums);
    });

    it('has the same tables and columns with the same types, nullability and defaults', () => {
      expect(withoutTables(migrated, tablesBeyondSeed).tables).toEqual(seed.tables);
    });

    it('has the same primary keys, uniques and foreign keys with their ON DELETE / ON UPDATE actions', () => {
      expect(withoutTables(migrated, tablesBeyondSeed).constraints).toEqual(seed.constraints);
    });

    it('has the same indexes under the seed names', () => {
      expect(withoutTables(migrated, tablesBeyondSeed).indexes).toEqual(seed.indexes);
    });

    it('has the updated_at triggers and their function', () => {
      expect(without(withoutTables(migrated, tablesBeyondSeed).triggers, triggersBeyondSeed)).toEqual(seed.triggers);
      expect(without(migrated.functions, functionsBeyondSeed)).toEqual(seed.functions);
    });

    it('adds only the tables the README lists', () => {
      const extra = Object.keys(migrated.tables).filter((t) => !(t in seed.tables));
      expect(extra.sort()).toEqual([...tablesBeyondSeed].sort());
    });
  });

  it('agrees with prisma/schema.prisma (no drift)', async () => {
    expect(schemaDrift(await readPrismaSchema(), migrated, ['_prisma_migrations'])).toEqual([]);
  });

  it('records every migration in _prisma_migrations with its checksum, as prisma migrate deploy does', async () => {
    const client = new pg.Client({ connectionString: migratedUrl });
    await client.connect();
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    await client.end();
    const files = await readMigrations();
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(files.map((m) => [m.name, m.checksum, 1]));
    expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);
  });

  it('is left unchanged by migrating again', async () => {
    const result = await migrate(migratedUrl);
    expect(result.applied).toEqual([]);
    expect(await readCatalog(migratedUrl)).toEqual(migrated);
  });
});

describe('schema drift detection', () => {
  it('notices a column whose length differs from schema.prisma', async () => {
    const url = scratchUrl(inject('databaseUrl'), 'drift');
    await ensureDatabase(url);
    try {
      await migrate(url);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('ALTER TABLE users ALTER COLUMN phone_number TYPE VARCHAR(60)');
      await client.end();
      const problems = schemaDrift(await readPrismaSchema(), await readCatalog(url), ['_prisma_migrations']);
      expect(problems).toEqual(['users.phone_number: type character varying(50) in schema.prisma, character varying(60) in the database']);
    } finally {
      await dropDatabase(url);
    }
  });
});
