import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { HttpProblem } from './problem.js';

// Abuse limits (issue 15) with rate-limiter-flexible's PostgreSQL store: one row per bucket key in rate_limits
// (created by a migration, never by the app), updated by atomic upserts, so every API process shares the same
// counts. The wide buckets (per address, per user, the webhook's) are spent in leases (LeasedBucket below): one
// upsert takes a twentieth of the limit for this process, which admits that many requests without another round
// trip; the narrow ones (withdrawals, passcode checks, deposit reports) count every request in the store. Buckets per window: every client address (before the token is checked), every user
// (token subject), and stricter ones for withdrawals, passcode checks, deposit reports (per user) and the Circle
// webhook (per address). Over a bucket: 429 problem+json with Retry-After. If the store cannot be reached the request fails
// (500, logged) rather than going unlimited: the API needs that database for everything else anyway.

export type RateLimitSettings = Pick<
  Config,
  | 'NODE_ENV'
  | 'RATE_LIMIT_ENABLED'
  | 'DATABASE_URL'
  | 'RATE_LIMIT_WINDOW_SECONDS'
  | 'RATE_LIMIT_PER_ADDRESS'
  | 'RATE_LIMIT_PER_USER'
  | 'RATE_LIMIT_WITHDRAWALS_PER_USER'
  | 'RATE_LIMIT_DEPOSIT_REPORTS_PER_USER'
  | 'RATE_LIMIT_WEBHOOK_PER_ADDRESS'
  | 'RATE_LIMIT_PASSCODE_CHECKS_PER_USER'
>;

/** Unset means on in production only: elsewhere every client is 127.0.0.1 and the bench must measure the API. */
export function rateLimitsEnabled(config: Pick<Config, 'NODE_ENV' | 'RATE_LIMIT_ENABLED'>): boolean {
  return config.RATE_LIMIT_ENABLED ?? config.NODE_ENV === 'production';
}

export interface RateLimits {
  /** Every /v1 request but the webhook's, by client address. */
  byAddress: RequestHandler;
  byUser: RequestHandler;
  withdrawalsByUser: RequestHandler;
  depositReportsByUser: RequestHandler;
  /** Requests that carry a passcode to check (passcodeToCheck): each one is a guess. */
  passcodeChecksByUser: RequestHandler;
  webhookByAddress: RequestHandler;
}

/**
 * The stricter buckets beyond the address and user ones, by route: app.ts mounts them, /openapi.json names them in
 * each route's 429. The webhook's own bucket replaces the address one on its path (every method).
 */
export const routeBuckets: readonly { method: 'post' | 'put'; path: string; bucket: Exclude<keyof RateLimits, 'byAddress' | 'byUser'> }[] =
  [
    { method: 'post', path: '/v1/withdrawals', bucket: 'withdrawalsByUser' },
    { method: 'post', path: '/v1/withdrawals', bucket: 'passcodeChecksByUser' },
    { method: 'put', path: '/v1/me/passcode', bucket: 'passcodeChecksByUser' },
    { method: 'post', path: '/v1/deposits', bucket: 'depositReportsByUser' },
  ];

const bucketNames: Record<keyof RateLimits, string> = {
  byAddress: 'requests per client address (RATE_LIMIT_PER_ADDRESS)',
  byUser: 'requests per user (RATE_LIMIT_PER_USER)',
  withdrawalsByUser: 'withdrawals per user (RATE_LIMIT_WITHDRAWALS_PER_USER)',
  depositReportsByUser: 'deposit reports per user (RATE_LIMIT_DEPOSIT_REPORTS_PER_USER)',
  passcodeChecksByUser: 'passcode checks per user (RATE_LIMIT_PASSCODE_CHECKS_PER_USER)',
  webhookByAddress: 'webhook deliveries per client address (RATE_LIMIT_WEBHOOK_PER_ADDRESS)',
};

/** What the buckets a request to this route spends are, for its documented 429 (`/v1/...` Express path). */
export function rateLimitBucketsOf(method: string, path: string): string[] {
  if (!path.startsWith('/v1/')) return [];
  if (path.startsWith('/v1/webhooks/')) return [bucketNames.webhookByAddress];
  const own = routeBuckets.filter((b) => b.method === method && b.path === path).map((b) => bucketNames[b.bucket]);
  return [bucketNames.byAddress, bucketNames.byUser, ...own];
}

/**
 * The passcode a request asks us to check, if any: a withdrawal's, or the current one of a passcode change (setting
 * the first passcode checks nothing). A request without one is refused before any check and is not a guess.
 */
function passcodeToCheck(req: Request): unknown {
  const body = req.body as Record<string, unknown> | undefined;
  return req.path === '/v1/me/passcode' ? body?.currentPasscode : body?.passcode;
}

const pass: RequestHandler = (_req, _res, next) => next();

// Keys are hashed: the table then holds neither addresses nor subjects, and a long subject fits VARCHAR(255).
const hashed = (value: string) => createHash('sha256').update(value).digest('base64url');

const addressOf = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';
const subjectOf = (req: Request) => req.auth?.subject;

/** Points a process takes from the store at a time: a twentieth of the limit, at most 100; 1 (exact) up to 39. */
export function leaseSize(points: number): number {
  return Math.max(1, Math.min(100, Math.floor(points / 20)));
}

/**
 * One bucket spent in leases. A process that has no points left for a key takes a lease from the store: one
 * upsert adds `lease` points to the key's count, and this process admits that many requests of the key on its own
 * until the store's window ends. When the count passes the limit the process keeps only what was left under it
 * and gives the rest back (the store's count then settles at the limit exactly, whatever other processes do at the
 * same time), and once nothing was left the key is refused here until the window ends, without asking again.
 * Error bound: every admitted request was counted in the store first, so all processes together never admit more
 * than the limit in a window; they may admit fewer, by what other processes hold leased and unspent: at most
 * (processes - 1) x (lease - 1) per key and window (14 of 300 per user with two processes), plus the unspent part
 * of a lease of a process that stopped. Concurrent requests of one key wait for one lease, not one each.
 */
export class LeasedBucket {
  private readonly held = new Map<string, Lease>();
  private sweepAt = 0;

  constructor(
    private readonly store: RateLimiterPostgres,
    private readonly points: number,
    private readonly lease: number,
  ) {}

  /** Undefined when admitted; else the ms until the key's window ends. */
  async consume(key: string): Promise<number | undefined> {
    for (;;) {
      const now = Date.now();
      const held = this.held.get(key);
      if (held?.leasing) {
        await held.leasing;
        continue;
      }
      if (held && held.until > now) {
        if (held.left > 0) {
          held.left--;
          return undefined;
        }
        if (held.full) return held.until - now;
      }
      const lease: Lease = { left: 0, until: now, full: false };
      lease.leasing = this.take(key, lease).then(
        () => void (lease.leasing = undefined),
        (error: unknown) => {
          this.held.delete(key);
          throw error;
        },
      );
      this.held.set(key, lease);
      this.sweep(now);
      await lease.leasing;
    }
  }

  private async take(key: string, lease: Lease): Promise<void> {
    const started = Date.now();
    try {
      const res = await this.store.consume(key, this.lease);
      lease.left = this.lease;
      lease.until = started + res.msBeforeNext;
      lease.full = res.remainingPoints === 0;
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) throw outcome;
      const over = Math.min(this.lease, outcome.consumedPoints - this.points);
      lease.left = this.lease - over;
      lease.until = started + outcome.msBeforeNext;
      lease.full = true;
      // Only what this lease took beyond the limit goes back: the count settles at the limit, never under it.
      if (over > 0) await this.store.reward(key, over);
    }
  }

  /** Forgets expired keys now and then, so the map holds about one window's keys. */
  private sweep(now: number): void {
    if (now < this.sweepAt) return;
    this.sweepAt = now + 10_000;
    for (const [key, lease] of this.held) if (lease.until <= now && !lease.leasing) this.held.delete(key);
  }
}

interface Lease {
  /** Requests this process may still admit for the key in this window. */
  left: number;
  /** When the store's window ends (epoch ms). */
  until: number;
  /** The store has nothing left for this window: refuse once `left` is spent. */
  full: boolean;
  /** A lease being taken: the key's other requests wait for it. */
  leasing?: Promise<void>;
}

export function createRateLimits(config: RateLimitSettings, logger: Logger): RateLimits {
  if (!rateLimitsEnabled(config)) {
    return {
      byAddress: pass,
      byUser: pass,
      withdrawalsByUser: pass,
      depositReportsByUser: pass,
      passcodeChecksByUser: pass,
      webhookByAddress: pass,
    };
  }
  // Its own few connections: one short upsert per bucket and request, never queued behind Prisma's transactions.
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 4, allowExitOnIdle: true });
  pool.on('error', (err) => logger.warn({ err }, 'rate limit store connection failed'));

  function bucket(keyPrefix: string, points: number, what: string, keyOf: (req: Request) => string | undefined): RequestHandler {
    const limiter = new RateLimiterPostgres({
      storeClient: pool,
      tableName: 'rate_limits',
      tableCreated: true, // by prisma/migrations/20261202000500_rate_limits
      // Not the store's own unbounded DELETE every 5 minutes from every bucket of every process: the retention
      // schedule (workflows/retention.ts) deletes expired rows in bounded batches, once for all of them.
      clearExpiredByTimeout: false,
      keyPrefix,
      points,
      duration: config.RATE_LIMIT_WINDOW_SECONDS,
    });
    const lease = leaseSize(points);
    const consume: (key: string) => Promise<number | undefined> =
      lease > 1
        ? (key) => leased.consume(key)
        : (key) =>
            limiter.consume(key).then(
              () => undefined,
              (outcome: unknown) => {
                if (outcome instanceof RateLimiterRes) return outcome.msBeforeNext;
                throw outcome;
              },
            );
    const leased = new LeasedBucket(limiter, points, lease);
    return (req: Request, _res: Response, next: NextFunction) => {
      const key = keyOf(req);
      if (key === undefined) return next();
      consume(hashed(key)).then((refusedForMs) => {
        if (refusedForMs === undefined) return next();
        const seconds = Math.max(1, Math.ceil(refusedForMs / 1000));
        next(new HttpProblem(429, `Too many ${what}: try again in ${seconds} s`, { headers: { 'Retry-After': String(seconds) } }));
      }, next);
    };
  }

  const webhookPath = '/webhooks/';
  const byAddress = bucket('address', config.RATE_LIMIT_PER_ADDRESS, 'requests from this address', addressOf);
  return {
    // Mounted on /v1: the webhook has its own bucket, and Circle's deliveries must not spend its clients'.
    byAddress: (req, res, next) => (req.path.startsWith(webhookPath) ? next() : byAddress(req, res, next)),
    byUser: bucket('user', config.RATE_LIMIT_PER_USER, 'requests from this user', subjectOf),
    withdrawalsByUser: bucket('withdrawals', config.RATE_LIMIT_WITHDRAWALS_PER_USER, 'withdrawals from this user', subjectOf),
    depositReportsByUser: bucket(
      'deposit-reports',
      config.RATE_LIMIT_DEPOSIT_REPORTS_PER_USER,
      'deposit reports from this user',
      subjectOf,
    ),
    passcodeChecksByUser: bucket('passcode-checks', config.RATE_LIMIT_PASSCODE_CHECKS_PER_USER, 'passcode checks from this user', (req) =>
      passcodeToCheck(req) === undefined ? undefined : subjectOf(req),
    ),
    webhookByAddress: bucket('webhook', config.RATE_LIMIT_WEBHOOK_PER_ADDRESS, 'webhook deliveries from this address', addressOf),
  };
}
