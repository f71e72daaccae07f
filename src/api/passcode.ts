import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import type { User } from '../generated/prisma/client.js';
import { HttpProblem } from './problem.js';

// The 6-digit passcode that authorizes money leaving the account. Stored only as an argon2id hash (the
// library's default algorithm, with its default memory and time costs).

export const passcode = z.string().regex(/^\d{6}$/, 'exactly 6 digits');

export function hashPasscode(value: string): Promise<string> {
  return hash(value);
}

/** 403 unless the user has set a passcode and `value` matches it. */
export async function assertPasscode(user: User, value: string | undefined): Promise<void> {
  if (!user.passcodeHash) {
    throw new HttpProblem(403, 'Set a passcode with PUT /v1/me/passcode first', { title: 'Passcode not set' });
  }
  if (value === undefined || !(await verify(user.passcodeHash, value))) {
    throw new HttpProblem(403, 'The passcode does not match', { title: 'Wrong passcode' });
  }
}
