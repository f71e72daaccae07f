import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { afterAll, describe, expect, it } from 'vitest';
import { LeasedBucket, leaseSize } from '../../src/api/rate-limit.js';
import { testConfig } from '../api/harness.js';

// The wide buckets (per address, per user, webhook) are spent in leases: a process takes a twentieth of the limit
// from the PostgreSQL store in one upsert and admits that many requests alone. Several processes together never
// admit more than the limit, and refuse early at most what the others hold leased and unspent.

const pool = new pg.Pool({ connectionString: testConfig().DATABASE_URL, max: 4 });
afterAll(() => pool.end());

const store = (points: number) =>
  new RateLimiterPostgres({
    storeClient: pool,
    tableName: 'rate_limits',
    tableCreated: true,
    clearExpiredByTimeout: false,
    keyPrefix: 'lease-test',
    points,
    duration: 60,
  });

describe('leased rate limit buckets', () => {
  it('takes a twentieth of the limit at a time, at most 100, and counts narrow buckets one by one', () => {
    expect(leaseSize(300)).toBe(15);
    expect(leaseSize(600)).toBe(30);
    expect(leaseSize(1_000_000)).toBe(100);
    for (const narrow of [5, 10, 30, 39]) expect(leaseSize(narrow)).toBe(1);
  });

  it('three processes hammering one key admit no more than the limit, and at most (processes - 1) x (lease - 1) fewer', async () => {
    const points = 100; // lease 5
    const key = randomUUID();
    const processes = [0, 1, 2].map(() => new LeasedBucket(store(points), points, leaseSize(points)));
    const outcomes = await Promise.all(processes.flatMap((bucket) => Array.from({ length: 60 }, () => bucket.consume(key))));
    const admitted = outcomes.filter((o) => o === undefined).length;
    expect(admitted).toBeLessThanOrEqual(points);
    expect(admitted).toBeGreaterThanOrEqual(points - 2 * (leaseSize(points) - 1));
    for (const refused of outcomes.filter((o) => o !== undefined)) {
      expect(refused).toBeGreaterThan(0);
      expect(refused).toBeLessThanOrEqual(60_000);
    }
    // The store's count settles at the limit: what a lease took beyond it was given back.
    const { rows } = await pool.query('SELECT points FROM rate_limits WHERE key = $1', [`lease-test:${key}`]);
    expect(rows[0].points).toBe(points);
  });

  it('a process admits from its lease without asking the store again', async () => {
    const points = 100;
    const key = randomUUID();
    const bucket = new LeasedBucket(store(points), points, leaseSize(points));
    for (let i = 0; i < 5; i++) expect(await bucket.consume(key)).toBeUndefined();
    const { rows } = await pool.query('SELECT points FROM rate_limits WHERE key = $1', [`lease-test:${key}`]);
    expect(rows[0].points).toBe(5); // one lease of 5 for 5 requests
    expect(await bucket.consume(key)).toBeUndefined();
    const after = await pool.query('SELECT points FROM rate_limits WHERE key = $1', [`lease-test:${key}`]);
    expect(after.rows[0].points).toBe(10);
  });
});
