import { defineConfig } from 'vitest/config';

// Two tiers. `unit`: pure tests (domain rules, encodings, replay of recorded histories, workflows with their
// activities stubbed on the testing package's own server) that start neither PostgreSQL, the sandbox nor the
// shared Temporal server: `npm run test:fast`, seconds. `stack`: everything else, on real Temporal, PostgreSQL and
// the provider sandbox started once by the global setup; `npm test` runs both tiers and stays the proof.
// A test that needs the stack cannot hide in `unit`: `inject('databaseUrl')` has nothing to give there.
const unit = [
  'test/domain/**/*.test.ts',
  'test/codec/encryption.test.ts',
  'test/orders/basket-split.test.ts',
  'test/orders/options.test.ts',
  'test/summaries/prompt.test.ts',
  'test/summaries/week.test.ts',
  'test/security/log-redaction.test.ts',
  'test/packaging/**/*.test.ts',
  'test/replay/replay.test.ts',
  'test/config.test.ts',
  'test/temporal/connection-options.test.ts',
  'test/deploy/**/*.test.ts',
  'test/workflows/unit/**/*.test.ts',
  'test/activities/unit/**/*.test.ts',
  'test/workflows/retry-policy.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    // Real Temporal, PostgreSQL and sandbox: generous per-test time, two files at a time on two cores.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: unit } },
      {
        extends: true,
        test: { name: 'stack', include: ['test/**/*.test.ts'], exclude: unit, globalSetup: ['test/helpers/global-setup.ts'] },
      },
    ],
  },
});
