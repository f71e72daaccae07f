import { Router, type Response } from 'express';
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { AlpacaLedger } from './alpaca-common.js';
import type { CircleMintSim } from './circle-mint.js';
import { ChainInputError, type CircleWalletsSim } from './circle-wallets.js';
import { faultInput } from './faults.js';
import type { SandboxState } from './state.js';
import type { WebhookSender } from './webhooks.js';

// The control API (/sandbox/...): a person or a test acts as the outside world — sends USDC on chain, wires USD
// into an Alpaca account, injects faults, sets how the broker fills — and reads back the effects each idempotency
// key caused and what each custody pool holds.

const chainBlockchains: Record<string, readonly string[]> = {
  ethereum: ['ETH', 'ETH-SEPOLIA'],
  solana: ['SOL', 'SOL-DEVNET'],
  ETH: ['ETH'],
  'ETH-SEPOLIA': ['ETH-SEPOLIA'],
  SOL: ['SOL'],
  'SOL-DEVNET': ['SOL-DEVNET'],
};

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'a decimal string');

export const chainTransferInput = z.object({
  chain: z.enum(Object.keys(chainBlockchains) as [string, ...string[]]),
  toAddress: z.string().min(1),
  amount: decimal.refine((v) => new Decimal(v).gt(0), 'must be positive'),
  /** FAILED makes the transfer fail on chain after it was seen (default COMPLETE). */
  finalState: z.enum(['COMPLETE', 'FAILED']).optional(),
  /** The token's symbol: USDC (default), the chain's native coin (ETH, SOL), or any other symbol. */
  token: z
    .string()
    .regex(/^[A-Za-z0-9.]{1,20}$/)
    .optional(),
  /** The token's contract / mint address: with token USDC and an address that is not Circle's, a counterfeit. */
  tokenAddress: z.string().min(1).optional(),
  /** Joins the on-chain transaction with this hash (several transfers, one hash); default a new transaction. */
  txHash: z.string().min(1).optional(),
});

export const fillsInput = z.object({
  prices: z.record(z.string(), decimal).optional(),
  partialFillRatio: z.number().gt(0).max(1).optional(),
  fillDelayMs: z.number().int().min(0).optional(),
  rejectSymbols: z.array(z.string()).optional(),
  fillOnCancelRatio: z.number().min(0).max(1).optional(),
  cancelDelayMs: z.number().int().min(0).optional(),
});

export const brokerWireInput = z.object({
  /** `trading`: the omnibus trading account; `firm`: the firm account journals fund from. */
  account: z.enum(['trading', 'firm']),
  amountUsd: decimal.refine((v) => new Decimal(v).gt(0) && new Decimal(v).decimalPlaces() <= 2, 'a positive USD amount in cents'),
});

const settingsInput = z.object({
  stepDelayMs: z.number().int().min(0).optional(),
  timeoutHoldMs: z.number().int().min(0).optional(),
  webhookUrl: z.url().nullable().optional(),
});

function invalid(res: Response, error: z.ZodError): void {
  res.status(400).json({ error: 'invalid request', issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
}

export function controlRouter(deps: {
  state: SandboxState;
  wallets: CircleWalletsSim;
  webhooks: WebhookSender;
  ledger: AlpacaLedger;
  mint: CircleMintSim;
}): Router {
  const { state, wallets, webhooks, ledger, mint } = deps;
  const router = Router();

  router.get('/sandbox/health', (_req, res) => void res.json({ ok: true }));

  router.post('/sandbox/chain/transfers', (req, res) => {
    const parsed = chainTransferInput.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    const { chain, ...transfer } = parsed.data;
    let tx: ReturnType<CircleWalletsSim['recordInbound']>;
    try {
      tx = wallets.recordInbound({ blockchains: chainBlockchains[chain]!, ...transfer });
    } catch (error) {
      if (error instanceof ChainInputError) return void res.status(400).json({ error: error.message });
      throw error;
    }
    if (!tx) return void res.status(404).json({ error: `no Circle wallet owns ${transfer.toAddress} on ${chain}` });
    res.status(201).json({ transaction: tx });
  });

  router.post('/sandbox/faults', (req, res) => {
    const parsed = faultInput.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    res.status(201).json(state.faults.add(parsed.data));
  });
  router.get('/sandbox/faults', (_req, res) => void res.json({ faults: state.faults.list() }));
  router.delete('/sandbox/faults', (_req, res) => {
    state.faults.clear();
    res.status(204).end();
  });

  router.put('/sandbox/broker/fills', (req, res) => {
    const parsed = fillsInput.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    const { prices, ...rest } = parsed.data;
    state.fills = { ...state.fills, ...rest, prices: { ...state.fills.prices, ...prices } };
    res.json(state.fills);
  });
  router.get('/sandbox/broker/fills', (_req, res) => void res.json(state.fills));

  // An incoming wire from a bank outside fundflow's pools (the firm's own capital, a user's funding that predates
  // the test): money from outside, where every other route into an Alpaca account is a flow (journal, payout, fill).
  router.post('/sandbox/broker/wires', (req, res) => {
    const parsed = brokerWireInput.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    const amount = new Decimal(parsed.data.amountUsd);
    if (parsed.data.account === 'trading') ledger.cash = ledger.cash.plus(amount);
    else ledger.firmCash = ledger.firmCash.plus(amount);
    res.status(201).json(pools());
  });

  const pools = () => ({
    mintAvailableUsd: mint.balanceUsd.toFixed(2, Decimal.ROUND_DOWN),
    alpacaFirmCashUsd: ledger.firmCash.toFixed(2),
    alpacaTradingCashUsd: ledger.cash.toFixed(2),
  });
  router.get('/sandbox/pools', (_req, res) => void res.json(pools()));

  router.get('/sandbox/effects', (_req, res) => {
    const effects = state.listEffects();
    const totals: Record<string, number> = {};
    for (const e of effects) totals[`${e.provider}.${e.operation}`] = (totals[`${e.provider}.${e.operation}`] ?? 0) + e.count;
    res.json({ effects, totals });
  });

  router.get('/sandbox/webhooks', (_req, res) => void res.json({ deliveries: webhooks.list() }));

  router.put('/sandbox/settings', (req, res) => {
    const parsed = settingsInput.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    const { webhookUrl, ...rest } = parsed.data;
    Object.assign(state.settings, rest);
    if (webhookUrl !== undefined) state.settings.webhookUrl = webhookUrl ?? undefined;
    const { credentials: _hidden, circleEntitySecret: _secret, ...visible } = state.settings;
    res.json(visible);
  });

  router.post('/sandbox/reset', (_req, res) => {
    state.reset();
    webhooks.reset();
    res.status(204).end();
  });

  return router;
}
