import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCircleMint } from '../../src/providers/circle/mint.js';
import { idempotencyUuid } from '../../src/providers/idempotency.js';
import type { FiatRailsPort } from '../../src/providers/ports.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { eventually } from '../helpers/eventually.js';
import { providerError } from './support.js';

// Circle Mint (off-ramp payouts, on-ramp wire deposits) through the official SDK adapter, against the sandbox.

let sandbox: TestSandbox;
let rails: FiatRailsPort;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  rails = createCircleMint(sandbox.config());
});
afterEach(() => sandbox.control.clearFaults());
afterAll(() => sandbox.stop());

const key = (step: string) => `test-${randomUUID()}:${step}`;

describe('Circle Mint adapter: off-ramp', () => {
  it('pays USD out to the broker bank and sees the payout complete', async () => {
    const payout = await rails.startOffRamp({ amountUsd: '125.5', idempotencyKey: key('off-ramp') });
    expect(payout).toMatchObject({ status: 'pending', amountUsd: '125.50' });

    const settled = await eventually(() => rails.getOffRamp(payout.id), (p) => p.status !== 'pending');
    expect(settled).toEqual({ id: payout.id, status: 'complete', amountUsd: '125.50', errorCode: undefined });
  });

  it('pays out once when the same step is retried', async () => {
    const idempotencyKey = key('off-ramp');
    const first = await rails.startOffRamp({ amountUsd: '40.00', idempotencyKey });
    const again = await rails.startOffRamp({ amountUsd: '40.00', idempotencyKey });

    expect(again.id).toBe(first.id);
    expect(await sandbox.control.effectCount('circle-mint', 'createPayout', idempotencyUuid(idempotencyKey))).toBe(1);
  });

  it('pays out once when the first answer timed out', async () => {
    const idempotencyKey = key('off-ramp');
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'createPayout', kind: 'timeout' });

    expect(await providerError(rails.startOffRamp({ amountUsd: '12.34', idempotencyKey }))).toMatchObject({ kind: 'timeout', retryable: true });
    const retried = await rails.startOffRamp({ amountUsd: '12.34', idempotencyKey });
    expect(retried.amountUsd).toBe('12.34');
    expect(await sandbox.control.effectCount('circle-mint', 'createPayout', idempotencyUuid(idempotencyKey))).toBe(1);
  });

  it('refuses the same key for another amount as a conflict', async () => {
    const idempotencyKey = key('off-ramp');
    await rails.startOffRamp({ amountUsd: '1.00', idempotencyKey });
    expect(await providerError(rails.startOffRamp({ amountUsd: '2.00', idempotencyKey }))).toMatchObject({ kind: 'conflict', retryable: false, details: { status: 409 } });
  });

  it('reports a payout Circle denies as failed with its error code', async () => {
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'createPayout', kind: 'reject' });
    const payout = await rails.startOffRamp({ amountUsd: '99.00', idempotencyKey: key('off-ramp') });
    const settled = await eventually(() => rails.getOffRamp(payout.id), (p) => p.status !== 'pending');
    expect(settled).toMatchObject({ status: 'failed', errorCode: 'transaction_denied' });
  });

  it('turns a Circle outage into a retryable failure', async () => {
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'createPayout', kind: 'http500' });
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'getPayout', kind: 'http500' });
    expect(await providerError(rails.startOffRamp({ amountUsd: '5.00', idempotencyKey: key('off-ramp') }))).toMatchObject({ kind: 'unavailable', retryable: true, details: { status: 500 } });
    expect(await providerError(rails.getOffRamp(randomUUID()))).toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('reports an unknown payout as not found and a wrong key as auth', async () => {
    expect(await providerError(rails.getOffRamp(randomUUID()))).toMatchObject({ kind: 'not_found', retryable: false });
    const wrong = createCircleMint(sandbox.config({ CIRCLE_API_KEY: 'TEST_API_KEY:wrong:key' }));
    expect(await providerError(wrong.getOffRamp(randomUUID()))).toMatchObject({ kind: 'auth', details: { status: 401 } });
  });

  it('refuses an amount with fractions of a cent before calling Circle', async () => {
    expect(await providerError(rails.startOffRamp({ amountUsd: '1.005', idempotencyKey: key('off-ramp') }))).toMatchObject({ kind: 'invalid_request' });
  });
});

describe('Circle Mint adapter: on-ramp', () => {
  it('brings USD in as a wire deposit that completes', async () => {
    const deposit = await rails.startOnRamp({ amountUsd: '75', idempotencyKey: key('on-ramp') });
    expect(deposit).toMatchObject({ status: 'pending', amountUsd: '75.00' });
    const settled = await eventually(() => rails.getOnRamp(deposit.id), (d) => d.status !== 'pending');
    expect(settled).toEqual({ id: deposit.id, status: 'complete', amountUsd: '75.00' });
  });

  it('wires once when the same step is retried after a timeout', async () => {
    const idempotencyKey = key('on-ramp');
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'createMockWire', kind: 'timeout' });
    expect(await providerError(rails.startOnRamp({ amountUsd: '20.00', idempotencyKey }))).toMatchObject({ kind: 'timeout' });
    const retried = await rails.startOnRamp({ amountUsd: '20.00', idempotencyKey });
    expect(retried.id).toBe(idempotencyUuid(idempotencyKey));
    expect(await sandbox.control.effectCount('circle-mint', 'createMockWire', idempotencyUuid(idempotencyKey))).toBe(1);
  });

  it('reports a returned wire as a failed on-ramp', async () => {
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'createMockWire', kind: 'reject' });
    const deposit = await rails.startOnRamp({ amountUsd: '10.00', idempotencyKey: key('on-ramp') });
    expect(await eventually(() => rails.getOnRamp(deposit.id), (d) => d.status !== 'pending')).toMatchObject({ status: 'failed' });
  });

  it('turns a Circle outage into a retryable failure and an unknown deposit into not found', async () => {
    await sandbox.control.fault({ provider: 'circle-mint', operation: 'listDeposits', kind: 'http500' });
    expect(await providerError(rails.getOnRamp(randomUUID()))).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(await providerError(rails.getOnRamp(randomUUID()))).toMatchObject({ kind: 'not_found', retryable: false });
  });
});
