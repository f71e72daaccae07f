import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { User } from '../generated/prisma/client.js';
import { HttpProblem } from './problem.js';

// The 6-digit passcode that authorizes money leaving the account. Stored only as an argon2id hash (the
// library's default algorithm, with its default memory and time costs). A million codes fall to a script in
// minutes, so the tries of one user are checked one at a time, under a lock on their passcode_attempts row (every
// API process, across restarts): the n-th consecutive failure (n >= 2) makes the next try wait
// PASSCODE_BACKOFF_SECONDS x 2^(n-2), the PASSCODE_MAX_FAILURES-th locks the user out for
// PASSCODE_LOCKOUT_SECONDS, and the right passcode resets the count. Holding the lock while argon2 runs (tens of
// milliseconds) is what makes ten guesses sent at once count as ten, and lets an app's concurrent requests with
// the right passcode through one after the other.

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

type Verdict = { ok: true } | { ok: false; lockedUntil?: Date };

/** One try, checked under the user's lock: refused while waiting, else verified and counted. */
function checkTry(db: Db, policy: PasscodePolicy, user: User & { passcodeHash: string }, value: string): Promise<Verdict> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`INSERT INTO passcode_attempts (user_id) VALUES (${user.id}::uuid) ON CONFLICT (user_id) DO NOTHING`;
      const [row] = await tx.$queryRaw<{ locked_until: Date | null; waiting: boolean }[]>`
        SELECT locked_until, COALESCE(locked_until > now(), false) AS waiting
        FROM passcode_attempts WHERE user_id = ${user.id}::uuid FOR UPDATE`;
      if (row!.waiting) return { ok: false, lockedUntil: row!.locked_until! };
      if (await verify(user.passcodeHash, value)) {
        await tx.$executeRaw`
          UPDATE passcode_attempts SET consecutive_failures = 0, locked_until = NULL, last_attempt_at = now()
          WHERE user_id = ${user.id}::uuid`;
        return { ok: true };
      }
      await tx.$executeRaw`
        UPDATE passcode_attempts SET
          consecutive_failures = consecutive_failures + 1,
          last_attempt_at = now(),
          locked_until = now() + make_interval(secs => CASE
            WHEN consecutive_failures + 1 >= ${policy.PASSCODE_MAX_FAILURES}::int THEN ${policy.PASSCODE_LOCKOUT_SECONDS}::float8
            WHEN consecutive_failures + 1 >= 2 THEN ${policy.PASSCODE_BACKOFF_SECONDS}::float8 * power(2, consecutive_failures - 1)
            ELSE 0 END)
        WHERE user_id = ${user.id}::uuid`;
      return { ok: false };
    },
    // Tries of one user queue on the lock: give the queue time rather than failing a legitimate one.
    { maxWait: 10_000, timeout: 15_000 },
  );
}

/**
 * 429 (with Retry-After) while the user is backing off or locked out; otherwise counts the try and answers 403
 * unless the user has set a passcode and `value` matches it. A missing value is not a guess and is not counted.
 */
export async function assertPasscode(db: Db, policy: PasscodePolicy, user: User, value: string | undefined): Promise<void> {
  const passcodeHash = user.passcodeHash;
  if (!passcodeHash) {
    throw new HttpProblem(403, 'Set a passcode with PUT /v1/me/passcode first', { title: 'Passcode not set' });
  }
  if (value === undefined) throw new HttpProblem(403, 'The passcode is required', { title: 'Wrong passcode' });
  const verdict = await checkTry(db, policy, { ...user, passcodeHash }, value);
  if (verdict.ok) return;
  if (verdict.lockedUntil) throw tryAgainAt(verdict.lockedUntil);
  throw new HttpProblem(403, 'The passcode does not match', { title: 'Wrong passcode' });
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
