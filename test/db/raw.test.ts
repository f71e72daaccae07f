import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDb, Prisma } from '../../src/db/client.js';
import { execute, inTransaction, queryRows } from '../../src/db/raw.js';

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

describe('a transaction on a pooled connection', () => {
  const userCount = async (subject: string) =>
    (await queryRows<{ n: number }>(db, Prisma.sql`SELECT count(*)::int AS n FROM users WHERE auth_provider_id = ${subject}`))[0]!.n;
  const insertUser = (subject: string) => Prisma.sql`INSERT INTO users (auth_provider_id) VALUES (${subject})`;

  it('commits what its work wrote when the work resolves, and nothing when it throws', async () => {
    const kept = `test|${randomUUID()}`;
    const undone = `test|${randomUUID()}`;
    expect(await inTransaction(db, async (tx) => tx.execute(insertUser(kept)))).toBe(1);
    await expect(
      inTransaction(db, async (tx) => {
        await tx.execute(insertUser(undone));
        expect(await tx.queryRows(Prisma.sql`SELECT 1 FROM users WHERE auth_provider_id = ${undone}`)).toHaveLength(1);
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    expect([await userCount(kept), await userCount(undone)]).toEqual([1, 0]);
  });

  it('cancels a statement past its timeout, rolls back, and hands the connection back usable', async () => {
    const subject = `test|${randomUUID()}`;
    await expect(
      inTransaction(
        db,
        async (tx) => {
          await tx.execute(insertUser(subject));
          await tx.queryRows(Prisma.sql`SELECT pg_sleep(1)`);
        },
        50,
      ),
    ).rejects.toThrow(/statement timeout/);
    expect(await userCount(subject)).toBe(0);
    // The pool has one connection: the next statement runs on the same one, outside any transaction.
    expect(await queryRows(db, Prisma.sql`SELECT current_setting('statement_timeout') AS t, now() = statement_timestamp() AS own`)).toEqual(
      [{ t: '0', own: true }],
    );
  });
});
