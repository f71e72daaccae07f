import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { HttpProblem } from './problem.js';

// Abuse limits (issue 15) with rate-limiter-flexible's PostgreSQL store: one row per bucket key in rate_limits
// (created by a migration, never by the app), updated by one atomic upsert per request, so every API process
// shares the same counts. Buckets per window: every client address (before the token is checked), every user
// (token subject), and stricter ones for withdrawals, deposit reports (per user) and the Circle webhook (per
// address). Over a bucket: 429 problem+json with Retry-After. If the store cannot be reached the request fails
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
  webhookByAddress: RequestHandler;
}

const pass: RequestHandler = (_req, _res, next) => next();

// Keys are hashed: the table then holds neither addresses nor subjects, and a long subject fits VARCHAR(255).
const hashed = (value: string) => createHash('sha256').update(value).digest('base64url');

const addressOf = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';
const subjectOf = (req: Request) => req.auth?.subject;

export function createRateLimits(config: RateLimitSettings, logger: Logger): RateLimits {
  if (!rateLimitsEnabled(config)) {
    return { byAddress: pass, byUser: pass, withdrawalsByUser: pass, depositReportsByUser: pass, webhookByAddress: pass };
  }
  // Its own few connections: one short upsert per bucket and request, never queued behind Prisma's transactions.
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 4, allowExitOnIdle: true });
  pool.on('error', (err) => logger.warn({ err }, 'rate limit store connection failed'));

  function bucket(keyPrefix: string, points: number, what: string, keyOf: (req: Request) => string | undefined): RequestHandler {
    const limiter = new RateLimiterPostgres({
      storeClient: pool,
      tableName: 'rate_limits',
      tableCreated: true, // by prisma/migrations/20261202000500_rate_limits
      keyPrefix,
      points,
      duration: config.RATE_LIMIT_WINDOW_SECONDS,
    });
    return (req: Request, _res: Response, next: NextFunction) => {
      const key = keyOf(req);
      if (key === undefined) return next();
      limiter.consume(hashed(key)).then(
        () => next(),
        (outcome: unknown) => {
          if (!(outcome instanceof RateLimiterRes)) return next(outcome);
          const seconds = Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
          next(
            new HttpProblem(429, `Too many ${what}: try again in ${seconds} s`, { headers: { 'Retry-After': String(seconds) } }),
          );
        },
      );
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
    webhookByAddress: bucket('webhook', config.RATE_LIMIT_WEBHOOK_PER_ADDRESS, 'webhook deliveries from this address', addressOf),
  };
}
