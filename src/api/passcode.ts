import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { User } from '../generated/prisma/client.js';
import { HttpProblem } from './problem.js';

// The 6-digit passcode that authorizes money leaving the account. Stored only as an argon2id hash (the
// library's default algorithm, with its default memory and time costs). A million codes fall to a script in
// minutes, so every try is counted in passcode_attempts before it is checked: the n-th consecutive try (n >= 2)
// makes the next wait PASSCODE_BACKOFF_SECONDS × 2^(n-2), the PASSCODE_MAX_FAILURES-th locks the user out for
// PASSCODE_LOCKOUT_SECONDS, and the right passcode resets the count. Claiming the try first, in one statement
// that refuses while locked, keeps concurrent requests and several API processes to the same budget.

export const passcode = z.string().regex(/^\d{6}$/, 'exactly 6 digits');

export type PasscodePolicy = Pick<Config, 'PASSCODE_MAX_FAILURES' | 'PASSCODE_LOCKOUT_SECONDS' | 'PASSCODE_BACKOFF_SECONDS'>;

export function hashPasscode(value: string): Promise<string> {
  return hash(value);
}

function tryAgainAt(until: Date): HttpProblem {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new HttpProblem(429, `Too many wrong passcodes: try again after ${until.toISOString()}`, {
    title: 'Passcode locked',
    headers: { 'Retry-After': String(seconds) },
  });
}

/** Counts one try against the user's budget; the time the user must wait when the budget is spent now. */
async function claimAttempt(db: Db, userId: string, policy: PasscodePolicy): Promise<Date | undefined> {
  const claimed = await db.$queryRaw<{ consecutive_failures: number }[]>`
    INSERT INTO passcode_attempts AS a (user_id, consecutive_failures, last_attempt_at, locked_until)
    VALUES (${userId}::uuid, 1, now(),
            now() + make_interval(secs => CASE WHEN 1 >= ${policy.PASSCODE_MAX_FAILURES}::int THEN ${policy.PASSCODE_LOCKOUT_SECONDS}::float8 ELSE 0 END))
    ON CONFLICT (user_id) DO UPDATE SET
      consecutive_failures = a.consecutive_failures + 1,
      last_attempt_at = now(),
      locked_until = now() + make_interval(secs => CASE
        WHEN a.consecutive_failures + 1 >= ${policy.PASSCODE_MAX_FAILURES}::int THEN ${policy.PASSCODE_LOCKOUT_SECONDS}::float8
        WHEN a.consecutive_failures = 0 THEN 0
        ELSE ${policy.PASSCODE_BACKOFF_SECONDS}::float8 * power(2, a.consecutive_failures - 1) END)
    WHERE a.locked_until IS NULL OR a.locked_until <= now()
    RETURNING a.consecutive_failures`;
  if (claimed.length > 0) return undefined;
  const row = await db.passcodeAttempt.findUniqueOrThrow({ where: { userId }, select: { lockedUntil: true } });
  return row.lockedUntil ?? new Date();
}

/**
 * 429 (with Retry-After) while the user is backing off or locked out; otherwise counts the try and answers 403
 * unless the user has set a passcode and `value` matches it. A missing value is not a guess and is not counted.
 */
export async function assertPasscode(db: Db, policy: PasscodePolicy, user: User, value: string | undefined): Promise<void> {
  if (!user.passcodeHash) {
    throw new HttpProblem(403, 'Set a passcode with PUT /v1/me/passcode first', { title: 'Passcode not set' });
  }
  if (value === undefined) throw new HttpProblem(403, 'The passcode is required', { title: 'Wrong passcode' });
  const lockedUntil = await claimAttempt(db, user.id, policy);
  if (lockedUntil) throw tryAgainAt(lockedUntil);
  if (!(await verify(user.passcodeHash, value))) {
    throw new HttpProblem(403, 'The passcode does not match', { title: 'Wrong passcode' });
  }
  await db.passcodeAttempt.update({ where: { userId: user.id }, data: { consecutiveFailures: 0, lockedUntil: null } });
}

/** Starts the withdrawal hold of a passcode change (the database's clock, like the lockout's). */
export async function holdWithdrawals(db: Pick<Db, '$executeRaw'>, userId: string, hours: number): Promise<void> {
  await db.$executeRaw`
    INSERT INTO passcode_attempts AS a (user_id, withdrawals_held_until)
    VALUES (${userId}::uuid, now() + make_interval(secs => ${hours * 3600}::float8))
    ON CONFLICT (user_id) DO UPDATE SET withdrawals_held_until = EXCLUDED.withdrawals_held_until`;
}

/** 403 while a passcode change holds the user's withdrawals, saying until when. */
export async function assertNoWithdrawalHold(db: Db, userId: string): Promise<void> {
  const row = await db.passcodeAttempt.findUnique({ where: { userId }, select: { withdrawalsHeldUntil: true } });
  const until = row?.withdrawalsHeldUntil;
  if (until && until.getTime() > Date.now()) {
    throw new HttpProblem(403, `The passcode changed recently: withdrawals are on hold until ${until.toISOString()}`, {
      title: 'Withdrawals on hold',
      headers: { 'Retry-After': String(Math.ceil((until.getTime() - Date.now()) / 1000)) },
    });
  }
}
