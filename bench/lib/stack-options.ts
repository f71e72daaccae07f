import type { ProcessStackOptions } from '../../scripts/lib/stack.js';

/** The stack every benchmark phase runs on (bench/run.ts, bench/topologies.ts), under a name of its own. */
export function benchStackOptions(
  name: string,
  options: Pick<ProcessStackOptions, 'temporalTopology'> & { eagerActivities?: boolean } = {},
): ProcessStackOptions {
  return {
    name,
    workerScript: 'bench/processes/worker.ts',
    apiScript: 'bench/processes/api.ts',
    // Zero provider latency, and no webhooks: the sagas poll, so both phases run the same commands.
    env: {
      SANDBOX_STEP_DELAY_MS: '0',
      LOG_LEVEL: 'error',
      // The rate limits on, as in production (BENCH_RATE_LIMITS=false: off), with buckets no run fills: every request
      // of the bench comes from 127.0.0.1 and a few users, and what is measured is what counting costs.
      RATE_LIMIT_ENABLED: process.env.BENCH_RATE_LIMITS ?? 'true',
      RATE_LIMIT_PER_ADDRESS: '1000000000',
      RATE_LIMIT_PER_USER: '1000000000',
      RATE_LIMIT_DEPOSIT_REPORTS_PER_USER: '1000000000',
      RATE_LIMIT_WITHDRAWALS_PER_USER: '1000000000',
      RATE_LIMIT_PASSCODE_CHECKS_PER_USER: '1000000000',
      // API processes (node:cluster, src/api/cluster.ts): 1 unless BENCH_API_PROCESSES says (0 = one per core).
      API_PROCESSES: process.env.BENCH_API_PROCESSES ?? '1',
    },
    temporalTopology: options.temporalTopology,
    temporalDynamicConfig: options.eagerActivities ? { 'system.enableActivityEagerExecution': 'true' } : undefined,
  };
}
