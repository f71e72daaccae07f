import { Router, type Request } from 'express';
import { z } from 'zod';
import { Prisma, type Db } from '../../db/client.js';
import type { AppDeps } from '../app.js';
import { callerIdOf, loadCaller } from '../auth.js';
import { assertPasscode, hashPasscode, holdWithdrawals, passcode } from '../passcode.js';
import { HttpProblem } from '../problem.js';
import { route } from '../route.js';
import { meView, serializeMe } from '../serializers.js';

// The caller's own user: created by the first PUT /v1/me (with its balance row), read by GET /v1/me.

const profileBody = z.strictObject({
  email: z
    .email()
    .max(255)
    .transform((v) => v.toLowerCase())
    .nullable()
    .optional(),
  phoneNumber: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'an E.164 phone number, e.g. "+14155550100"')
    .nullable()
    .optional(),
});

const passcodeBody = z.strictObject({
  passcode,
  currentPasscode: passcode.optional().meta({ description: 'Required once a passcode is set' }),
});

const meInclude = { balance: true, wallets: { orderBy: { createdAt: 'asc' as const } } };

/** The name of the unique constraint (or its fields) an insert or update violated, if that is what failed. */
function uniqueViolation(error: unknown): string | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return undefined;
  // With the pg driver adapter the constraint comes as PostgreSQL names it, e.g. users_email_key.
  const meta = error.meta as
    { target?: unknown; driverAdapterError?: { cause?: { constraint?: { index?: string; fields?: string[] } } } } | undefined;
  const constraint = meta?.driverAdapterError?.cause?.constraint;
  return String(constraint?.index ?? constraint?.fields ?? meta?.target ?? '');
}

/**
 * Creates or updates the caller's row. An email or phone number that belongs to another user is left out and the
 * rest saved: answering "already in use" would tell anyone with a token who our customers are.
 */
async function saveProfile(db: Db, subject: string, exists: boolean, data: z.output<typeof profileBody>, log: Request['log']) {
  let fields = { ...data };
  for (let tries = 0; ; tries++) {
    try {
      return await saveOnce(db, subject, exists, fields);
    } catch (error) {
      const constraint = uniqueViolation(error);
      const taken =
        constraint === undefined ? undefined : /phone/i.test(constraint) ? 'phoneNumber' : /email/i.test(constraint) ? 'email' : undefined;
      if (!taken || !(taken in fields) || tries > 2) throw error;
      log.warn({ field: taken }, 'profile value belongs to another user: not stored');
      const { [taken]: _, ...rest } = fields;
      fields = rest;
    }
  }
}

async function saveOnce(db: Db, subject: string, exists: boolean, data: z.output<typeof profileBody>) {
  if (!exists) {
    try {
      const user = await db.user.create({
        data: { authProviderId: subject, ...data, balance: { create: {} } },
        include: meInclude,
      });
      return { user, created: true };
    } catch (error) {
      // A concurrent first PUT created the row: this one becomes an update.
      if (!/auth_?provider_?id/i.test(uniqueViolation(error) ?? '')) throw error;
    }
  }
  const user = await db.user.update({ where: { authProviderId: subject }, data, include: meInclude });
  return { user, created: false };
}

export function meRouter({ db, config }: AppDeps): Router {
  const router = Router();

  route(
    router,
    {
      method: 'put',
      path: '/v1/me',
      operationId: 'upsertMe',
      tag: 'me',
      summary: "Create or update the caller's user",
      description:
        'The first call creates the user (sub = auth_provider_id) and its balance. An email or phone number that ' +
        'belongs to another user is not stored and not reported (the answer does not say who our customers are).',
      body: profileBody,
      responses: { 200: { description: 'Updated', schema: meView }, 201: { description: 'Created', schema: meView } },
    },
    async (req, res, { body }) => {
      const { user, created } = await saveProfile(db, req.auth!.subject, req.callerId !== undefined, body, req.log);
      req.callerId = user.id;
      res.status(created ? 201 : 200).json(serializeMe(user));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/v1/me',
      operationId: 'getMe',
      tag: 'me',
      summary: 'The caller: user, KYC status, balances, wallets',
      description:
        "The caller's user with its KYC status, whether a passcode is set, balances and wallets. 404 until PUT " +
        '/v1/me has created the user.',
      responses: { 200: { description: 'The caller', schema: meView } },
      problems: [404],
    },
    async (req, res) => {
      const user = await db.user.findUniqueOrThrow({ where: { id: callerIdOf(req) }, include: meInclude });
      res.json(serializeMe(user));
    },
  );

  route(
    router,
    {
      method: 'put',
      path: '/v1/me/passcode',
      operationId: 'setPasscode',
      tag: 'me',
      summary: "Set the caller's 6-digit passcode (stored only as an argon2id hash)",
      description:
        'Changing an existing passcode needs the current one (counted against the passcode lockout: 429 with ' +
        'Retry-After when locked) and holds withdrawals for PASSCODE_CHANGE_HOLD_HOURS (24 by default); the first ' +
        'passcode holds nothing.',
      body: passcodeBody,
      responses: { 204: { description: 'Set' } },
      problems: [403, 404, 409, 429],
    },
    async (req, res, { body }) => {
      const user = await loadCaller(db, req);
      const changing = user.passcodeHash !== null;
      if (changing) await assertPasscode(db, config, user, body.currentPasscode);
      const passcodeHash = await hashPasscode(body.passcode);
      await db.$transaction(async (tx) => {
        // Only over the hash this request checked: a concurrent first set or change cannot be overwritten unseen.
        const { count } = await tx.user.updateMany({ where: { id: user.id, passcodeHash: user.passcodeHash }, data: { passcodeHash } });
        if (count === 0) throw new HttpProblem(409, 'The passcode changed meanwhile: try again', { title: 'Passcode changed' });
        // A stolen session that changes the passcode must not cash out at once; the first passcode holds nothing.
        if (changing) await holdWithdrawals(tx, user.id, config.PASSCODE_CHANGE_HOLD_HOURS);
      });
      res.status(204).end();
    },
  );

  return router;
}
