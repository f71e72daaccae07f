import { createHash, randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { Db } from '../db/client.js';
import { idempotencyKeyOf } from '../db/prepared-reads.js';
import { deterministicId } from '../domain/ids.js';
import { HttpProblem } from './problem.js';

// Idempotency-Key for commands that move money or start work (POST withdrawals, orders). The saga's accept step
// writes the idempotency_keys row in the same transaction as the resource, so "key seen" and "resource exists"
// are one fact. The resource id derives from (user, resource type, key) (a UUID v5, src/domain/ids.ts), so a
// concurrent repeat reaches the same workflow id and joins the first run instead of starting a second.

/** What the route passes on to the saga, plus whether this request repeats an earlier one. */
export interface IdempotentCommand {
  resourceId: string;
  idempotencyKey?: string;
  requestHash?: string;
  /** True when an earlier request with this key and body already created `resourceId`: start nothing. */
  replay: boolean;
}

const keyPattern = /^[\x21-\x7e]{1,255}$/; // printable ASCII, fits idempotency_keys.key

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha-256 of method, path and the canonical JSON of the parsed command (key order and spacing do not count). */
export function requestHash(method: string, path: string, command: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n${canonicalJson(command)}`)
    .digest('hex');
}

function conflict(): HttpProblem {
  return new HttpProblem(409, 'This Idempotency-Key was already used with a different request', {
    title: 'Idempotency key reused',
  });
}

/**
 * Reads the Idempotency-Key header (optional) and decides the resource id: the earlier resource for a repeat
 * with the same body, a 409 for a different body, a derived id for a new key, a random id without a key.
 * `command` is the validated request body without credentials (the hash is stored; a passcode must not be).
 */
export async function idempotentCommand(
  db: Db,
  req: Request,
  options: { userId: string; resourceType: string; command: unknown },
): Promise<IdempotentCommand> {
  const key = req.get('idempotency-key');
  if (key === undefined) return { resourceId: randomUUID(), replay: false };
  if (!keyPattern.test(key)) {
    throw HttpProblem.invalid('Idempotency-Key must be 1 to 255 printable ASCII characters', [
      { path: 'header.idempotency-key', message: 'invalid' },
    ]);
  }
  const hash = requestHash(req.method, req.baseUrl + req.path, options.command);
  const existing = await idempotencyKeyOf(db, options.userId, key);
  if (existing) {
    if (existing.requestHash !== hash || existing.resourceType !== options.resourceType) throw conflict();
    return { resourceId: existing.resourceId, idempotencyKey: key, requestHash: hash, replay: true };
  }
  return {
    resourceId: deterministicId(`${options.userId}/${options.resourceType}/${key}`),
    idempotencyKey: key,
    requestHash: hash,
    replay: false,
  };
}

/**
 * After the saga accepted: two concurrent first requests with one key but different bodies both reach the same
 * run, and only the body that started it is recorded. The other one learns it here.
 */
export async function confirmIdempotentCommand(db: Db, userId: string, command: IdempotentCommand): Promise<void> {
  if (!command.idempotencyKey) return;
  const row = await db.idempotencyKey.findUnique({
    where: { userId_key: { userId, key: command.idempotencyKey } },
    select: { requestHash: true },
  });
  if (row && row.requestHash !== command.requestHash) throw conflict();
}
