import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDb, Prisma } from '../../src/db/client.js';
import { execute, queryRows } from '../../src/db/raw.js';

// Statements built with Prisma.sql and sent on the pool: the parameters must reach PostgreSQL as $queryRaw sent them.

const db = createDb(inject('databaseUrl'), 1);
afterAll(() => db.$disconnect());

describe('statements sent on the pool', () => {
  it('send a Decimal as its exact value, text arrays as arrays, and answer rows as pg parses them', async () => {
    const [row] = await queryRows<{ amount: string; listed: boolean; n: number }>(
      db,
      Prisma.sql`SELECT (${new Prisma.Decimal('12345678901234567.000000000000000001')}::numeric)::text AS amount,
                        'b' = ANY(${['a', 'b']}::text[]) AS listed, ${7}::int AS n`,
    );
    expect(row).toEqual({ amount: '12345678901234567.000000000000000001', listed: true, n: 7 });
  });

  it('answer how many rows a statement changed', async () => {
    expect(await execute(db, Prisma.sql`SELECT 1 FROM generate_series(1, ${3}::int)`)).toBe(3);
  });
});
