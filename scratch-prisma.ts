import pg from 'pg';
import { createDb } from './src/db/client.js';
const url = process.env.DATABASE_URL!;
const db = createDb(url, 10);
const u = await db.user.findFirstOrThrow();
async function bench(name: string, f: () => Promise<unknown>) {
  for (let i = 0; i < 500; i++) await f();
  const c0 = process.cpuUsage(); const t0 = performance.now(); const N = 5000;
  await Promise.all(Array.from({ length: 10 }, async () => { for (let i = 0; i < N / 10; i++) await f(); }));
  const t = performance.now() - t0; const c = process.cpuUsage(c0);
  console.log(name.padEnd(30), (N / t * 1000).toFixed(0).padStart(6), '/s  cpu ms/op', ((c.user + c.system) / 1000 / N).toFixed(3));
}
await bench('prisma user.findUnique', () => db.user.findUnique({ where: { authProviderId: u.authProviderId } }));
await bench('prisma deposit.findFirst', () => db.deposit.findFirst({ where: { id: '00000000-0000-0000-0000-000000000000', userId: u.id } }));
await bench('prisma $queryRaw', () => db.$queryRaw`SELECT * FROM users WHERE auth_provider_id = ${u.authProviderId}`);
const pool = new pg.Pool({ connectionString: url, max: 10 });
await bench('pg users by auth id', () => pool.query('SELECT * FROM users WHERE auth_provider_id = $1', [u.authProviderId]));
process.exit(0);
