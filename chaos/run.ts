import '../src/load-env.js';
import { execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pool, progress, table } from '../scripts/lib/stats.js';
import { createLoadUsers } from '../scripts/lib/fixtures.js';
import { startProcessStack, type ProcessStack } from '../scripts/lib/stack.js';
import { envInt, step } from '../scripts/lib/tools.js';
import type { FaultInput, operations, SandboxProvider } from '../src/sandbox/faults.js';
import { operatorUpdate, progressQuery } from '../workflows/definitions.js';
import { verify, type Check } from './verify.js';
import { act, amount, pickAction, random, type Refused, type SagaKind, type Submitted } from './workload.js';
import { seed as seedBaskets } from '../src/db/seed.js';

// `npm run chaos`: every kind of money movement through the API (chaos/workload.ts) while the sandbox fails a
// share of provider calls (5xx, timeouts whose effect did happen, business rejections), the worker is SIGKILLed
// and restarted every few seconds, PostgreSQL and the Temporal server (its store kept) are restarted, and the
// sandbox turns slow for a while. Then faults stop, an operator retries whatever parked, and chaos/verify.ts
// checks what must hold, the money by reconciling the ledger with the providers. Prints a verdict table, writes
// chaos/results/latest.{md,json}, and exits 1 on any violation. Reproducible from CHAOS_SEED (the mix, amounts
// and disruption times; the interleaving is the machine's). Knobs: CHAOS_ACTIONS (default 1100: about 1,050 sagas,
// the rest rightful refusals such as sells without a position), CHAOS_USERS,
// CHAOS_SEED, CHAOS_MIN_KILLS (50), CHAOS_PG_RESTARTS (3), CHAOS_TEMPORAL_RESTARTS (2), CHAOS_STORM_SECONDS,
// CHAOS_DRAIN_SECONDS, CHAOS_PG_RESTART_COMMAND (default: pg_ctlcluster of the local cluster; it restarts the
// whole server, so run chaos alone on the machine).

const total = envInt('CHAOS_ACTIONS', 1100);
const userCount = envInt('CHAOS_USERS', 25);
const seed = envInt('CHAOS_SEED', 20261125);
const minKills = envInt('CHAOS_MIN_KILLS', 50);
const pgRestarts = envInt('CHAOS_PG_RESTARTS', 3);
const temporalRestarts = envInt('CHAOS_TEMPORAL_RESTARTS', 2);
/** Submissions are spread evenly over this long, so that kills and faults hit sagas at every step. */
const stormSeconds = envInt('CHAOS_STORM_SECONDS', 240);
const initialUsd = '5000.00';
/** The sandbox's pace: each provider-side state change takes this long (1.5 s while it is slow). */
const stepDelayMs = 300;

/**
 * Per provider, the call that moves money fails with a 5xx 10% of the time, times out after taking effect 5%,
 * and is rejected 3–5%; the call that reads its result fails with a 5xx 10%.
 */
const providerFaults = <P extends SandboxProvider>(
  provider: P,
  create: (typeof operations)[P][number],
  read: (typeof operations)[P][number],
  rejectRate: number,
): FaultInput[] => [
  { provider, operation: create, kind: 'http500', rate: 0.1 },
  { provider, operation: read, kind: 'http500', rate: 0.1 },
  { provider, operation: create, kind: 'timeout', rate: 0.05 },
  { provider, operation: create, kind: 'reject', rate: rejectRate },
];
const faults: FaultInput[] = [
  ...providerFaults('circle-mint', 'createPayout', 'getPayout', 0.03),
  ...providerFaults('circle-mint', 'createTransfer', 'getTransfer', 0.03),
  ...providerFaults('alpaca-broker', 'createJournal', 'getJournal', 0.03),
  ...providerFaults('circle-wallets', 'createTransaction', 'getTransaction', 0.03),
  ...providerFaults('alpaca', 'createOrder', 'getOrder', 0.05),
];

const stack = await startProcessStack({
  name: 'chaos',
  env: {
    LOG_LEVEL: 'warn',
    SANDBOX_STEP_DELAY_MS: String(stepDelayMs),
    // A timeout fault holds the answer past the adapters' deadline; both short, so a run takes minutes.
    PROVIDER_TIMEOUT_MS: '2000',
    SANDBOX_TIMEOUT_HOLD_MS: '2500',
  },
});

let exitCode = 1;
try {
  step(`${userCount} users with wallets, ${initialUsd} USD of buying power each; the baskets`);
  const users = await createLoadUsers(stack, userCount, { buyingPowerUsd: initialUsd });
  await seedBaskets(stack.db);
  const basketId = (await stack.db.basket.findFirstOrThrow({ where: { isActive: true }, select: { id: true } })).id;
  for (const fault of faults) await stack.sandbox.fault(fault);
  step(
    `${faults.length} faults armed; ${total} actions, the worker killed every few seconds, ${pgRestarts} PostgreSQL and ${temporalRestarts} Temporal restarts`,
  );

  const next = random(seed);
  const plan = Array.from({ length: total }, () => {
    const action = pickAction(next());
    return {
      action,
      user: users[Math.floor(next() * users.length)]!,
      usd: action === 'deposit' ? amount(next, 5, 200) : amount(next, 1, 50),
    };
  });

  const killer = startKiller(stack);
  const disruptions = startDisruptions(stack, random(seed + 2));
  const submitted: Submitted[] = [];
  const refused: Refused[] = [];
  const apiViolations: string[] = [];
  const bar = progress('actions', total);
  let done = 0;
  const started = Date.now();
  await pool(total, 24, async (i) => {
    const due = started + (i * stormSeconds * 1000) / total;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const { action, user, usd } = plan[i]!;
    const outcome = await act({ stack, basketId }, action, user, usd, `chaos-${randomUUID()}`);
    submitted.push(...outcome.submitted);
    refused.push(...outcome.refused);
    apiViolations.push(...outcome.violations);
    bar.tick(++done);
  });
  bar.end();
  await killer.until(minKills);
  const disrupted = await disruptions.finish();
  const kills = await killer.stop();
  const stormTook = (Date.now() - started) / 1000;
  const faultHits = (await stack.sandbox.faults()).map((f) => ({ rule: `${f.provider}.${f.operation} ${f.kind}`, hits: f.hits }));
  await stack.sandbox.clearFaults();
  step(
    `storm over after ${stormTook.toFixed(0)} s: ${kills} worker kills, ${disrupted.pg} PostgreSQL and ${disrupted.temporal} Temporal restarts, ` +
      `${faultHits.reduce((a, f) => a + f.hits, 0)} injected faults; faults cleared`,
  );

  const drained = await drain(stack, submitted);
  step('verifying');
  const checks = await verify(stack, submitted);
  const clientGaveUp = refused.filter((r) => r.status >= 500);
  checks.unshift({
    name: 'requests',
    expectation: 'every request answered for good (2xx or 4xx); a key names one resource; a counterfeit token is refused',
    checked: total,
    violations: [...clientGaveUp.map((r) => `${r.kind}: ${r.status} ${r.detail}`), ...apiViolations],
  });
  exitCode = checks.some((c) => c.violations.length > 0) ? 1 : 0;
  const sensitivity = await verifierSensitivity(stack, submitted);
  if (!sensitivity.caught) exitCode = 1;
  const outcomes = await stack.db.$queryRaw<{ kind: string; status: string; count: number }[]>`
    SELECT 'deposit' AS kind, status::text, count(*)::int FROM deposits GROUP BY status
    UNION ALL SELECT 'withdrawal', status::text, count(*)::int FROM withdrawals GROUP BY status
    UNION ALL SELECT 'order', status::text, count(*)::int FROM orders GROUP BY status
    ORDER BY 1, 2`;
  await report({ checks, kills, disrupted, stormSeconds: stormTook, submitted, refused, drained, faultHits, outcomes, sensitivity });
} finally {
  await stack.stop();
}
process.exit(exitCode);

/**
 * Proves the verifier can fail: one user's buying power moved by a cent and one deposit row set back a step
 * must each be reported; then both are restored.
 */
async function verifierSensitivity(stack: ProcessStack, sagas: Submitted[]): Promise<{ caught: boolean; detail: string }> {
  const deposit = sagas.find((s) => s.kind === 'deposit')!;
  const [row] = await stack.db.$queryRaw<{ status: string }[]>`SELECT status::text FROM deposits WHERE id = ${deposit.id}::uuid`;
  await stack.db.$executeRaw`UPDATE balances SET buying_power_usd = buying_power_usd + 0.01 WHERE user_id = ${deposit.userId}::uuid`;
  await stack.db.$executeRaw`UPDATE deposits SET status = 'off_ramp_complete' WHERE id = ${deposit.id}::uuid`;
  try {
    const checks = await verify(stack, [deposit]);
    const found = (name: string) => checks.find((c) => c.name === name)!.violations.length > 0;
    const caught = found('reconciliation') && found('agreement');
    return {
      caught,
      detail: caught ? 'a 1-cent balance change and a row set back one step were both reported' : 'MISSED a planted violation',
    };
  } finally {
    await stack.db.$executeRaw`UPDATE balances SET buying_power_usd = buying_power_usd - 0.01 WHERE user_id = ${deposit.userId}::uuid`;
    await stack.db.$executeRaw`UPDATE deposits SET status = ${row!.status}::deposit_status WHERE id = ${deposit.id}::uuid`;
  }
}

/** SIGKILLs the worker, restarts it, waits 2–5 s, and again, until stopped. */
function startKiller(stack: ProcessStack) {
  let kills = 0;
  let stopping = false;
  const waiters: { count: number; resolve: () => void }[] = [];
  const loop = (async () => {
    const pause = random(seed + 1);
    while (!stopping) {
      await new Promise((r) => setTimeout(r, 2000 + pause() * 3000));
      if (stopping) break;
      if (stack.workerRunning()) {
        await stack.killWorker();
        kills++;
        process.stderr.write(`  ✝ worker killed (${kills})\n`);
        for (const w of waiters.filter((w) => kills >= w.count)) w.resolve();
      }
      // Also brings back a worker that exited on its own (Temporal away for too long).
      await stack.startWorker().catch((error: Error) => process.stderr.write(`  worker did not start: ${error.message}\n`));
    }
  })();
  return {
    until: (count: number) => (kills >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
    async stop() {
      stopping = true;
      await loop;
      return kills;
    },
  };
}

/**
 * Restarts PostgreSQL CHAOS_PG_RESTARTS times and the Temporal server CHAOS_TEMPORAL_RESTARTS times at seeded
 * moments of the storm, and makes the sandbox slow (every step 1.5 s) for a tenth of it.
 */
function startDisruptions(stack: ProcessStack, next: () => number) {
  const stormMs = stormSeconds * 1000;
  const at = (n: number) => Array.from({ length: n }, (_, i) => ((i + 0.3 + next() * 0.4) / n) * stormMs);
  const pgCommand = process.env.CHAOS_PG_RESTART_COMMAND ?? defaultPgRestart();
  const counts = { pg: 0, temporal: 0 };
  const timers: Promise<void>[] = [];
  const later = (ms: number, what: () => Promise<void>) =>
    timers.push(
      new Promise<void>((resolve) =>
        setTimeout(
          () =>
            what()
              .catch((e: Error) => process.stderr.write(`  disruption failed: ${e.message}\n`))
              .finally(resolve),
          ms,
        ),
      ),
    );
  for (const ms of at(pgRestarts)) {
    later(ms, async () => {
      execSync(pgCommand, { stdio: 'ignore' });
      counts.pg++;
      process.stderr.write(`  ⟳ PostgreSQL restarted (${counts.pg})\n`);
    });
  }
  for (const ms of at(temporalRestarts)) {
    later(ms, async () => {
      await stack.restartTemporal();
      counts.temporal++;
      process.stderr.write(`  ⟳ Temporal server restarted (${counts.temporal})\n`);
    });
  }
  const slowFrom = (0.4 + next() * 0.4) * stormMs;
  later(slowFrom, async () => {
    await stack.sandbox.settings({ stepDelayMs: 1500 });
    process.stderr.write('  ⧗ sandbox slow\n');
    await new Promise((r) => setTimeout(r, stormMs / 10));
    await stack.sandbox.settings({ stepDelayMs });
  });
  return {
    async finish() {
      await Promise.all(timers);
      return counts;
    },
  };
}

/** Restarts the machine's PostgreSQL cluster (ENVIRONMENT.md: one cluster, pg_ctlcluster). */
function defaultPgRestart(): string {
  const version = execSync('ls /etc/postgresql').toString().trim().split('\n')[0];
  return `pg_ctlcluster --skip-systemctl-redirect ${version} main restart -m fast`;
}

/**
 * Waits until every saga completed or parked; parked ones get an operator's retry (faults are gone, so the
 * retry goes through). Gives up after CHAOS_DRAIN_SECONDS and lets the verifier report what is left.
 */
async function drain(stack: ProcessStack, sagas: Submitted[]): Promise<{ seconds: number; operatorRetries: number }> {
  const started = Date.now();
  const deadline = started + envInt('CHAOS_DRAIN_SECONDS', 300) * 1000;
  // When each parked saga got its retry: one still parked 20 s after that waits for a human.
  const retried = new Map<string, number>();
  const bar = progress('settled', sagas.length);
  for (;;) {
    let settled = 0;
    await pool(sagas.length, 16, async (i) => {
      const handle = stack.client.workflow.getHandle(sagas[i]!.workflowId);
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') return void settled++;
      const parked = (await handle.query(progressQuery).catch(() => undefined))?.parked;
      if (!parked) return;
      const retriedAt = retried.get(handle.workflowId);
      if (retriedAt === undefined) {
        retried.set(handle.workflowId, Date.now());
        await handle.executeUpdate(operatorUpdate, { args: [{ action: 'retry', note: 'chaos: faults cleared', operator: 'chaos' }] });
      } else if (Date.now() - retriedAt > 20_000) settled++;
    });
    bar.tick(settled);
    if (settled === sagas.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  bar.end();
  return { seconds: (Date.now() - started) / 1000, operatorRetries: retried.size };
}

async function report(r: {
  checks: Check[];
  kills: number;
  disrupted: { pg: number; temporal: number };
  stormSeconds: number;
  submitted: Submitted[];
  refused: Refused[];
  drained: { seconds: number; operatorRetries: number };
  faultHits: { rule: string; hits: number }[];
  outcomes: { kind: string; status: string; count: number }[];
  sensitivity: { caught: boolean; detail: string };
}) {
  const byKind = (kind: SagaKind) => r.submitted.filter((s) => s.kind === kind).length;
  const retriedRequests = r.submitted.filter((s) => s.attempts > 1).length;
  const verdict = r.checks.every((c) => c.violations.length === 0) && r.sensitivity.caught ? 'PASS' : 'FAIL';
  const markdown = [
    `# Chaos run: ${verdict}`,
    ``,
    `${new Date().toISOString()} · seed ${seed} · ${r.submitted.length} sagas accepted (${byKind('deposit')} deposits, ` +
      `${byKind('withdrawal')} withdrawals, ${byKind('order')} orders), ${r.refused.length} refused · ` +
      `**${r.kills} worker SIGKILLs, ${r.disrupted.pg} PostgreSQL restarts, ${r.disrupted.temporal} Temporal restarts** in ` +
      `${r.stormSeconds.toFixed(0)} s, the sandbox slow for a tenth of it · ${faults.length} fault rules ` +
      `(5xx 10%, timeouts 5%, rejections 3–5% per operation) · ${retriedRequests} requests needed a client retry · ` +
      `drained in ${r.drained.seconds.toFixed(0)} s with ${r.drained.operatorRetries} operator retries of parked sagas`,
    ``,
    table(
      ['check', 'expectation', 'checked', 'violations', 'verdict'],
      r.checks.map((c) => [c.name, c.expectation, c.checked, c.violations.length, c.violations.length ? 'FAIL' : 'ok']),
    ),
    ``,
    `Verifier sensitivity: ${r.sensitivity.detail}`,
    ``,
    `Where the sagas ended: ${r.outcomes.map((o) => `${o.kind} ${o.status} ${o.count}`).join(' · ')}`,
    ``,
    `Faults injected: ${r.faultHits
      .filter((f) => f.hits > 0)
      .map((f) => `${f.rule} ×${f.hits}`)
      .join(' · ')}`,
    ``,
    ...r.checks
      .filter((c) => c.violations.length)
      .flatMap((c) => [`## ${c.name}`, '', ...c.violations.slice(0, 20).map((v) => `- ${v}`), '']),
  ].join('\n');
  const dir = path.resolve(import.meta.dirname, 'results');
  await writeFile(path.join(dir, 'latest.md'), markdown + '\n');
  await writeFile(
    path.join(dir, 'latest.json'),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        seed,
        verdict,
        kills: r.kills,
        disrupted: r.disrupted,
        stormSeconds: r.stormSeconds,
        drained: r.drained,
        accepted: r.submitted.length,
        refused: r.refused,
        outcomes: r.outcomes,
        faultHits: r.faultHits,
        checks: r.checks,
      },
      null,
      2,
    ) + '\n',
  );
  process.stdout.write(`\n${markdown}\n`);
}
