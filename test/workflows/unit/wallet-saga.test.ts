import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WalletEligibility, WalletRow } from '../../../activities/funding/wallet.js';
import { temporalBinary } from '../../../scripts/lib/tools.js';
import { workflowsPath } from '../../../src/workflow-code.js';
import {
  acceptUpdate,
  operatorUpdate,
  progressQuery,
  searchAttributes,
  staleDecisionType,
  workflowIds,
} from '../../../workflows/definitions.js';
import type { walletWorkflow } from '../../../workflows/wallet.js';

// The saga's rules with every activity stubbed, on the testing package's own dev server (no PostgreSQL, sandbox or
// shared Temporal): a provider's final refusal parks the step, an operator decision that names another step is
// refused before it reaches the history, a retry runs the step again, and an ineligible user is refused with a
// domain outcome, not an HTTP status.

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalBinary }, searchAttributes: Object.values(searchAttributes) },
  });
});

afterAll(async () => {
  await env?.teardown();
});

/** Runs `body` with a worker whose activities are `stubs` (the wallet workflow's three). */
async function withWorker<T>(
  stubs: Record<string, (...args: never[]) => Promise<unknown>>,
  body: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `wallet-unit-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities: stubs });
  return worker.runUntil(body(taskQueue));
}

const row: WalletRow = { id: randomUUID(), status: 'creating', circleWalletId: 'circle-wallet-1' };

describe('the wallet saga, activities stubbed', () => {
  it('parks when Circle refuses activation for good, refuses a decision for another step, and finishes on a retry', async () => {
    let activations = 0;
    const stubs = {
      checkWalletEligibility: async (): Promise<WalletEligibility> => ({ eligible: true }),
      createCustodyWallet: async (): Promise<WalletRow> => row,
      activateWallet: async (): Promise<'active'> => {
        if (++activations === 1) throw ApplicationFailure.nonRetryable('circle-wallets: wallet FROZEN', 'Providerrejected');
        return 'active';
      },
    };
    await withWorker(stubs, async (taskQueue) => {
      const userId = randomUUID();
      const handle = await env.client.workflow.start<typeof walletWorkflow>('walletWorkflow', {
        taskQueue,
        workflowId: workflowIds.wallet(userId, 'ethereum'),
        args: [{ userId, chain: 'ethereum' }],
      });
      expect(await handle.executeUpdate(acceptUpdate)).toEqual({ accepted: true, id: row.id });

      let parked = (await handle.query(progressQuery)).parked;
      for (let i = 0; !parked && i < 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        parked = (await handle.query(progressQuery)).parked;
      }
      expect(parked).toMatchObject({ step: 'activateWallet', reason: expect.stringContaining('FROZEN') });

      const stale = await handle
        .executeUpdate(operatorUpdate, { args: [{ action: 'retry', step: 'createCustodyWallet', operator: 'unit' }] })
        .catch((error: unknown) => error);
      expect(stale).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((stale as WorkflowUpdateFailedError).cause).toMatchObject({ type: staleDecisionType });
      expect(activations).toBe(1);

      expect(await handle.executeUpdate(operatorUpdate, { args: [{ action: 'retry', step: 'activateWallet', operator: 'unit' }] })).toEqual(
        {
          step: 'activateWallet',
          action: 'retry',
        },
      );
      expect(await handle.result()).toBe('active');
      expect(activations).toBe(2);
    });
  });

  it('refuses a user whose KYC is not approved with a domain outcome, and creates nothing', async () => {
    let created = 0;
    const stubs = {
      checkWalletEligibility: async (): Promise<WalletEligibility> => ({
        eligible: false,
        refusal: { code: 'kyc_required', detail: 'KYC is pending; a wallet needs an approved KYC' },
      }),
      createCustodyWallet: async (): Promise<WalletRow> => {
        created++;
        return row;
      },
      activateWallet: async (): Promise<'active'> => 'active',
    };
    await withWorker(stubs, async (taskQueue) => {
      const userId = randomUUID();
      const handle = await env.client.workflow.start<typeof walletWorkflow>('walletWorkflow', {
        taskQueue,
        workflowId: workflowIds.wallet(userId, 'solana'),
        args: [{ userId, chain: 'solana' }],
      });
      expect(await handle.executeUpdate(acceptUpdate)).toEqual({
        accepted: false,
        refusal: { code: 'kyc_required', detail: expect.any(String) },
      });
      expect(await handle.result()).toBeUndefined();
      expect(created).toBe(0);
    });
  });
});
