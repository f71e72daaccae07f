import { defineConfig } from 'prisma/config';

// The CLI reads DATABASE_URL only for commands that talk to the database (migrate deploy/status where the
// schema engine is available); `prisma generate` needs none, so a missing URL must not fail it.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/fundflow' },
});
