import { Circle, type MockWirePaymentRequest } from '@circle-fin/circle-sdk';
import { Decimal } from 'decimal.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { ProviderError } from '../errors.js';
import { idempotencyUuid } from '../idempotency.js';
import type { Chain, FiatRailsPort, MintChainDeposit, MintTransfer, RailMovement, RailStatus } from '../ports.js';
import { toCircleError } from './errors.js';

// Circle Mint behind FiatRailsPort.
//
// Off-ramp (USDC → USD): a business-account payout to the broker's wire bank account
// (`POST /v1/businessAccount/payouts`), pending until Circle settles it complete or failed (with errorCode).
// The bank is CIRCLE_PAYOUT_BANK_ID, or one registered here once with a constant idempotency key.
//
// On-ramp (USD → USDC): USD arrives at Circle as an incoming wire to the business account's wire instructions
// and shows up as a business-account deposit (`GET /v1/businessAccount/deposits`), pending → complete|failed.
// Circle's API cannot send that wire (a bank does), so we use Circle's sandbox simulation of it,
// `POST /v1/mocks/payments/wire`, with the instructions' trackingRef and account number. Circle links the wire
// to the account only, not to a deposit id; so the adapter also sends our idempotency UUID in the mock wire,
// and the local sandbox names the deposit by it. The on-ramp id is that UUID, known before the wire lands, and
// a retry sends the same wire again without a second deposit. Against real Mint the wire comes from the bank:
// this method is the place to replace with the bank's own wire call and a deposit match by amount.
//
// The Mint balance's chain side. Out: Mint sends USDC only to addresses saved in its recipient book
// (`POST /v1/businessAccount/wallets/addresses/recipient`; on a real account an admin approves each one, so the
// addresses we send to are few and fixed: the treasury wallet per chain), then `POST /v1/businessAccount/transfers`
// with `destination: {type: 'verified_blockchain', addressId}`, pending until complete (with the transaction hash)
// or failed (errorCode). In: Mint's one deposit address per chain (`/v1/businessAccount/wallets/addresses/deposit`);
// USDC sent there is credited to the Mint balance after Mint's own confirmations, and Mint lists it among the
// business transfers as an incoming one (`source: {type: 'blockchain', chain}`, destination its wallet) with the
// transaction hash: getChainDeposit finds it there. Mint names chains without the network (ETH, SOL): its sandbox
// account is on the testnets, its production account on mainnet.
//
// Mint's idempotencyKey must be a UUIDv4: derived from our key, so retries reuse it (409 = reused for a
// different request). The SDK never retries; each call gets PROVIDER_TIMEOUT_MS and Temporal owns retries.

const payoutBankDetails = {
  accountNumber: '12340010',
  routingNumber: '121000248',
  billingDetails: {
    name: 'Fundflow Brokerage Funding',
    city: 'Boston',
    country: 'US',
    line1: '100 Money Street',
    district: 'MA',
    postalCode: '01234',
  },
  bankAddress: { bankName: 'SAN FRANCISCO', city: 'SAN FRANCISCO', country: 'US', line1: '100 Money Street', district: 'CA' },
};

const mintChains: Record<Chain, 'ETH' | 'SOL'> = { ethereum: 'ETH', solana: 'SOL' };

const railStatus = (status: string | undefined): RailStatus =>
  status === 'complete' ? 'complete' : status === 'failed' ? 'failed' : 'pending';

export function createCircleMint(config: Config, logger?: Logger): FiatRailsPort {
  const circle = new Circle(config.CIRCLE_API_KEY, config.CIRCLE_MINT_BASE_URL);
  const options = { timeout: config.PROVIDER_TIMEOUT_MS };

  async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const failure = toCircleError('circle-mint', error, operation);
      logger?.warn(
        { provider: 'circle-mint', operation, kind: failure.kind, status: failure.details.status, code: failure.details.code },
        'provider call failed',
      );
      throw failure;
    }
  }

  function usd(amountUsd: string): string {
    const amount = new Decimal(amountUsd);
    if (!amount.isPositive() || amount.decimalPlaces() > 2) {
      throw new ProviderError('circle-mint', 'invalid_request', `not a positive USD amount in cents: ${amountUsd}`);
    }
    return amount.toFixed(2);
  }

  let bank: Promise<string> | undefined;
  function payoutBankId(): Promise<string> {
    if (config.CIRCLE_PAYOUT_BANK_ID) return Promise.resolve(config.CIRCLE_PAYOUT_BANK_ID);
    bank ??= call('createWireBank', async () => {
      const res = await circle.wires.createBusinessWireAccount(
        { idempotencyKey: idempotencyUuid('fundflow:payout-bank'), ...payoutBankDetails },
        options,
      );
      const id = res.data.data?.id;
      if (!id) throw new Error('Circle returned no wire bank account');
      return id;
    }).catch((error: unknown) => {
      bank = undefined;
      throw error;
    });
    return bank;
  }

  let instructions: Promise<{ trackingRef: string; accountNumber: string }> | undefined;
  function wireInstructions(): Promise<{ trackingRef: string; accountNumber: string }> {
    instructions ??= payoutBankId()
      .then((id) => call('getWireInstructions', () => circle.wires.getBusinessWireAccountInstructions(id, 'USD', options)))
      .then((res) => {
        const { trackingRef, beneficiaryBank } = res.data.data ?? {};
        if (!trackingRef || !beneficiaryBank?.accountNumber) throw new Error('Circle returned no wire instructions');
        return { trackingRef, accountNumber: beneficiaryBank.accountNumber };
      })
      .catch((error: unknown) => {
        instructions = undefined;
        throw toCircleError('circle-mint', error, 'getWireInstructions');
      });
    return instructions;
  }

  // Mint lists newest first, `pageSize` at a time; `pageAfter` (the last id seen) continues with older ones.
  const pageSize = 50;
  async function allPages<T extends { id?: string }>(
    operation: string,
    fetchPage: (pageAfter: string | undefined) => Promise<{ data: { data?: T[] } }>,
  ): Promise<T[]> {
    const all: T[] = [];
    for (let pageAfter: string | undefined; ;) {
      const page = (await call(operation, () => fetchPage(pageAfter))).data.data ?? [];
      all.push(...page);
      if (page.length < pageSize || !page.at(-1)?.id) return all;
      pageAfter = page.at(-1)!.id;
    }
  }

  const depositAddresses = new Map<Chain, Promise<string>>();
  function mintDepositAddress(chain: Chain): Promise<string> {
    let address = depositAddresses.get(chain);
    if (!address) {
      address = (async () => {
        const listed = await call('listDepositAddresses', () => circle.addresses.getBusinessDepositAddress(options));
        const known = (listed.data.data ?? []).find((a) => a.chain === mintChains[chain] && a.currency === 'USD')?.address;
        if (known) return known;
        // A constant key: every process asks for the same address, and Circle keeps one per chain anyway.
        const created = await call('createDepositAddress', () =>
          circle.addresses.createBusinessDepositAddress(
            { idempotencyKey: idempotencyUuid(`fundflow:mint-deposit-address:${chain}`), currency: 'USD', chain: mintChains[chain] },
            options,
          ),
        );
        const fresh = created.data.data?.address;
        if (!fresh) throw new ProviderError('circle-mint', 'unavailable', `Circle returned no deposit address on ${chain}`);
        return fresh;
      })();
      address.catch(() => depositAddresses.delete(chain));
      depositAddresses.set(chain, address);
    }
    return address;
  }

  return {
    async startOffRamp({ amountUsd, idempotencyKey }) {
      const amount = usd(amountUsd);
      const destination = await payoutBankId();
      const res = await call('createPayout', () =>
        circle.payouts.createBusinessPayout(
          {
            idempotencyKey: idempotencyUuid(idempotencyKey),
            destination: { type: 'wire', id: destination },
            amount: { amount, currency: 'USD' },
          },
          options,
        ),
      );
      return toMovement(res.data.data);
    },

    async getOffRamp(id) {
      const res = await call('getPayout', () => circle.payouts.getBusinessPayout(id, options));
      return toMovement(res.data.data);
    },

    async startOnRamp({ amountUsd, idempotencyKey }) {
      const amount = usd(amountUsd);
      const { trackingRef, accountNumber } = await wireInstructions();
      const id = idempotencyUuid(idempotencyKey);
      const wire: MockWirePaymentRequest & { idempotencyKey: string } = {
        trackingRef,
        amount: { amount, currency: 'USD' },
        beneficiaryBank: { accountNumber },
        idempotencyKey: id,
      };
      const res = await call('createMockWire', () => circle.payments.createMockWirePayment(wire, options));
      return { id, status: res.data.data?.status === 'failed' ? 'failed' : 'pending', amountUsd: amount };
    },

    async getOnRamp(id) {
      let pageAfter: string | undefined;
      for (let page = 0; page < 20; page++) {
        const res = await call('listDeposits', () =>
          circle.deposits.listBusinessDeposits('wire', undefined, undefined, undefined, pageAfter, 50, options),
        );
        const deposits = res.data.data ?? [];
        const deposit = deposits.find((d) => d.id === id);
        if (deposit) return { id, status: railStatus(deposit.status), amountUsd: deposit.amount.amount };
        if (deposits.length < 50) break;
        pageAfter = deposits.at(-1)!.id;
      }
      throw new ProviderError('circle-mint', 'not_found', `getOnRamp: no deposit ${id}`, { status: 404 });
    },

    async saveRecipientAddress({ chain, address, description, idempotencyKey }) {
      const res = await call('createRecipientAddress', () =>
        circle.addresses.createBusinessRecipientAddress(
          { idempotencyKey: idempotencyUuid(idempotencyKey), address, chain: mintChains[chain], currency: 'USD', description },
          options,
        ),
      );
      const id = res.data.data?.id;
      if (!id) throw new ProviderError('circle-mint', 'unavailable', 'Circle returned no recipient address');
      return id;
    },

    async startMintTransfer({ recipientAddressId, amountUsd, idempotencyKey }) {
      const amount = usd(amountUsd);
      const res = await call('createTransfer', () =>
        circle.transfers.createBusinessTransfer(
          {
            idempotencyKey: idempotencyUuid(idempotencyKey),
            destination: { type: 'verified_blockchain', addressId: recipientAddressId },
            amount: { amount, currency: 'USD' },
          },
          options,
        ),
      );
      return toMintTransfer(res.data.data);
    },

    async getMintTransfer(id) {
      const res = await call('getTransfer', () => circle.transfers.getBusinessTransfer(id, options));
      return toMintTransfer(res.data.data);
    },

    depositAddress: mintDepositAddress,

    async balanceUsd() {
      const res = await call('getBalances', () => circle.balances.listBusinessBalances(options));
      return (res.data.data?.available ?? [])
        .filter((a) => a.currency === 'USD')
        .reduce((sum, a) => sum.plus(a.amount), new Decimal(0))
        .toFixed(2);
    },

    listOffRamps: () =>
      allPages('listPayouts', (pageAfter) =>
        circle.payouts.listBusinessPayouts(undefined, undefined, undefined, undefined, undefined, undefined, pageAfter, pageSize, options),
      ).then((payouts) => payouts.map(toMovement)),

    listOnRamps: () =>
      allPages('listDeposits', (pageAfter) =>
        circle.deposits.listBusinessDeposits('wire', undefined, undefined, undefined, pageAfter, pageSize, options),
      ).then((deposits) => deposits.map((d) => ({ id: d.id, status: railStatus(d.status), amountUsd: d.amount.amount }))),

    listMintTransfers: () =>
      allPages('listTransfers', (pageAfter) =>
        circle.transfers.listBusinessTransfers(undefined, undefined, undefined, pageAfter, pageSize, options),
      ).then((transfers) =>
        // Only what left the Mint balance: USDC arriving at a deposit address is listed too (source `blockchain`).
        transfers
          .filter((t) => t.source.type === 'wallet')
          .map((t) => ({ ...toMintTransfer(t), destinationAddress: (t.destination as { address?: string } | undefined)?.address })),
      ),

    async getChainDeposit({ chain, txHash }) {
      const same = (hash: string | undefined) => (chain === 'ethereum' ? hash?.toLowerCase() === txHash.toLowerCase() : hash === txHash);
      let pageAfter: string | undefined;
      for (let page = 0; page < 20; page++) {
        const res = await call('listTransfers', () =>
          circle.transfers.listBusinessTransfers(undefined, undefined, undefined, pageAfter, 50, options),
        );
        const transfers = res.data.data ?? [];
        const found = transfers.find(
          (t) => t.source.type === 'blockchain' && 'chain' in t.source && t.source.chain === mintChains[chain] && same(t.transactionHash),
        );
        if (found) return toChainDeposit(found, txHash);
        if (transfers.length < 50) break;
        pageAfter = transfers.at(-1)!.id;
      }
      return undefined;
    },
  };
}

function toChainDeposit(
  transfer: { id?: string; status?: string; amount?: { amount: string }; errorCode?: string | null },
  txHash: string,
): MintChainDeposit {
  return { ...toMintTransfer(transfer), txHash };
}

function toMintTransfer(
  transfer: { id?: string; status?: string; amount?: { amount: string }; transactionHash?: string; errorCode?: string | null } | undefined,
): MintTransfer {
  if (!transfer?.id) throw new ProviderError('circle-mint', 'unavailable', 'Circle returned no transfer');
  return {
    id: transfer.id,
    status: railStatus(transfer.status),
    amountUsd: transfer.amount?.amount ?? '0',
    txHash: transfer.transactionHash || undefined,
    errorCode: transfer.errorCode ?? undefined,
  };
}

function toMovement(
  payout: { id?: string; status?: string; amount?: { amount: string }; errorCode?: string | null } | undefined,
): RailMovement {
  if (!payout?.id) throw new ProviderError('circle-mint', 'unavailable', 'Circle returned no payout');
  return {
    id: payout.id,
    status: railStatus(payout.status),
    amountUsd: payout.amount?.amount ?? '0',
    errorCode: payout.errorCode ?? undefined,
  };
}
