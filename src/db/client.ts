import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Db = PrismaClient;
export { Prisma } from '../generated/prisma/client.js';

const pools = new WeakMap<Db, pg.Pool>();

export function createDb(databaseUrl: string, poolSize: number): Db {
  // Prisma's adapter runs on a pool we hold, so the few prepared reads (src/db/prepared-reads.ts) share its
  // connections and its size; $disconnect ends it.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/** The connection pool under a client made by createDb. */
export function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('this Prisma client was not made by createDb: it has no pool of ours');
  return pool;
}
