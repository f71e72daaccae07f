import { z } from 'zod';
import type { Balance, Deposit, User, Wallet, Withdrawal } from '../generated/prisma/client.js';
import { formatUsd, formatUsdc } from '../domain/money.js';
import { depositTransitions, kycTransitions, statusesOf, walletTransitions, withdrawalTransitions } from '../domain/status.js';
import { chain } from './schemas.js';

// Rows to JSON, once per resource. Each view is a zod schema (it documents the response in /openapi.json) and
// its serializer is typed by it, so the two cannot drift. camelCase, ids as UUID strings, times ISO-8601 UTC,
// money as decimal strings (src/domain/money.ts): USD always with its 2 decimals ("125.50"); USDC the exact
// stored amount without trailing zeros ("10.5"), never in exponent notation. Internal fields (passcode hash,
// Circle wallet id) never leave.

const time = (at: Date): string => at.toISOString();
const timeOrNull = (at: Date | null): string | null => at?.toISOString() ?? null;

const timestamp = z.iso.datetime();
const usdString = z.string().meta({ example: '125.50', description: 'USD, 2 decimals' });
const usdcString = z.string().meta({ example: '10.5', description: 'USDC, up to 18 decimals' });

export const userView = z
  .object({
    id: z.guid(),
    email: z.string().nullable(),
    phoneNumber: z.string().nullable(),
    kycStatus: z.enum(statusesOf(kycTransitions)),
    hasPasscode: z.boolean(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'User' });

export function serializeUser(user: User): z.input<typeof userView> {
  return {
    id: user.id,
    email: user.email,
    phoneNumber: user.phoneNumber,
    kycStatus: user.kycStatus,
    hasPasscode: user.passcodeHash !== null,
    createdAt: time(user.createdAt),
    updatedAt: time(user.updatedAt),
  };
}

export const balanceView = z
  .object({ buyingPowerUsd: usdString, pendingBrokerDepositsUsd: usdString, updatedAt: timestamp })
  .meta({ id: 'Balance' });

export function serializeBalance(balance: Balance): z.input<typeof balanceView> {
  return {
    buyingPowerUsd: formatUsd(balance.buyingPowerUsd),
    pendingBrokerDepositsUsd: formatUsd(balance.pendingBrokerDepositsUsd),
    updatedAt: time(balance.updatedAt),
  };
}

export const walletView = z
  .object({
    id: z.guid(),
    chain,
    address: z.string(),
    status: z.enum(statusesOf(walletTransitions)),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Wallet' });

export function serializeWallet(wallet: Wallet): z.input<typeof walletView> {
  return {
    id: wallet.id,
    chain: wallet.chain,
    address: wallet.address,
    status: wallet.status,
    createdAt: time(wallet.createdAt),
    updatedAt: time(wallet.updatedAt),
  };
}

export const depositView = z
  .object({
    id: z.guid(),
    walletId: z.guid(),
    chain,
    txHash: z.string(),
    token: z.enum(['USDC']),
    amountStablecoin: usdcString,
    status: z.enum(statusesOf(depositTransitions)),
    confirmedAt: timestamp.nullable(),
    offRampInitiatedAt: timestamp.nullable(),
    offRampCompletedAt: timestamp.nullable(),
    brokerFundedAt: timestamp.nullable(),
    failureReason: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Deposit' });

export function serializeDeposit(deposit: Deposit): z.input<typeof depositView> {
  return {
    id: deposit.id,
    walletId: deposit.walletId,
    chain: deposit.chain,
    txHash: deposit.txHash,
    token: deposit.token,
    amountStablecoin: formatUsdc(deposit.amountStablecoin),
    status: deposit.status,
    confirmedAt: timeOrNull(deposit.confirmedAt),
    offRampInitiatedAt: timeOrNull(deposit.offRampInitiatedAt),
    offRampCompletedAt: timeOrNull(deposit.offRampCompletedAt),
    brokerFundedAt: timeOrNull(deposit.brokerFundedAt),
    failureReason: deposit.failureReason,
    createdAt: time(deposit.createdAt),
    updatedAt: time(deposit.updatedAt),
  };
}

export const withdrawalView = z
  .object({
    id: z.guid(),
    amountUsd: usdString,
    targetChain: chain,
    targetAddress: z.string(),
    status: z.enum(statusesOf(withdrawalTransitions)),
    brokerWithdrawalRef: z.string().nullable(),
    circleOnRampRef: z.string().nullable(),
    circleTransferRef: z.string().nullable(),
    txHash: z.string().nullable(),
    failureReason: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Withdrawal' });

export function serializeWithdrawal(withdrawal: Withdrawal): z.input<typeof withdrawalView> {
  return {
    id: withdrawal.id,
    amountUsd: formatUsd(withdrawal.amountUsd),
    targetChain: withdrawal.targetChain,
    targetAddress: withdrawal.targetAddress,
    status: withdrawal.status,
    brokerWithdrawalRef: withdrawal.brokerWithdrawalRef,
    circleOnRampRef: withdrawal.circleOnRampRef,
    circleTransferRef: withdrawal.circleTransferRef,
    txHash: withdrawal.txHash,
    failureReason: withdrawal.failureReason,
    createdAt: time(withdrawal.createdAt),
    updatedAt: time(withdrawal.updatedAt),
  };
}

export const meView = z
  .object({ user: userView, kycStatus: userView.shape.kycStatus, balances: balanceView.nullable(), wallets: z.array(walletView) })
  .meta({ id: 'Me' });

/** GET /v1/me and PUT /v1/me: the caller with everything the app's home screen needs. */
export function serializeMe(user: User & { balance: Balance | null; wallets: Wallet[] }): z.input<typeof meView> {
  return {
    user: serializeUser(user),
    kycStatus: user.kycStatus,
    balances: user.balance ? serializeBalance(user.balance) : null,
    wallets: user.wallets.map(serializeWallet),
  };
}

/** A list page's schema: `{ items, nextCursor }`. */
export function pageView<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
