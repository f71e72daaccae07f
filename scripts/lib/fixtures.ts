import { randomUUID } from 'node:crypto';
import { hashPasscode } from '../../src/api/passcode.js';
import { Prisma } from '../../src/db/client.js';
import { bookOpening } from '../../src/ledger/opening.js';
import type { ProcessStack } from './stack.js';

// Users for load runs (bench, chaos): KYC-approved rows written directly (onboarding is not what they measure),
// each with an Ethereum wallet provisioned through the API and its wallet saga, like any user's, and the buying
// power they start with wired into the sandbox's omnibus brokerage account.

export interface LoadUser {
  id: string;
  subject: string;
  token: string;
  address: string;
}

export interface Reply {
  status: number;
  body: any;
}

/** One request to the stack's API as `token`'s user. */
export async function call(
  stack: ProcessStack,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export const loadPasscode = '135790';

export async function createLoadUsers(stack: ProcessStack, count: number, options: { buyingPowerUsd?: string } = {}): Promise<LoadUser[]> {
  const passcodeHash = await hashPasscode(loadPasscode);
  return Promise.all(
    Array.from({ length: count }, async () => {
      const subject = `load|${randomUUID()}`;
      const user = await stack.db.user.create({
        data: {
          authProviderId: subject,
          kycStatus: 'approved',
          passcodeHash,
          balance: { create: { buyingPowerUsd: new Prisma.Decimal(options.buyingPowerUsd ?? '0') } },
        },
        select: { id: true },
      });
      await bookOpening(stack.db, { userId: user.id, buyingPowerUsd: options.buyingPowerUsd });
      // The sandbox's brokerage account starts empty: the buying power written above arrives there as a wire from
      // outside (money that predates the run), so withdrawals and buys draw on cash the broker really holds.
      if (new Prisma.Decimal(options.buyingPowerUsd ?? '0').gt(0)) {
        await stack.sandbox.brokerWire({ account: 'trading', amountUsd: new Prisma.Decimal(options.buyingPowerUsd!).toFixed(2) });
      }
      const token = await stack.token(subject);
      const created = await call(stack, 'POST', '/v1/wallets', { token, body: { chain: 'ethereum' } });
      if (created.status !== 202 && created.status !== 200) throw new Error(`wallet: ${created.status} ${JSON.stringify(created.body)}`);
      for (let i = 0; ; i++) {
        const wallet = await stack.db.wallet.findUnique({ where: { userId_chain: { userId: user.id, chain: 'ethereum' } } });
        if (wallet?.status === 'active') return { id: user.id, subject, token, address: wallet.address };
        if (i > 600) throw new Error(`the wallet of ${user.id} did not become active`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }),
  );
}
