import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { loadHistories, loadHistory, recordedNames } from './histories.js';

// The recorded runs (histories/*.json, see record.test.ts) must replay against today's workflow code.

const workflowsPath = path.resolve(import.meta.dirname, '../../workflows/index.ts');
Runtime.install({ logger: new DefaultLogger('ERROR') });

describe('replaying recorded saga histories', () => {
  it('every recorded kyc, wallet, deposit, withdrawal and order run replays against the current workflows', async () => {
    const names = await recordedNames();
    expect(names.length).toBeGreaterThanOrEqual(10);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath }, loadHistories(names))) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });

  it('a deposit saga changed in a non-deterministic way fails the replay', async () => {
    const { workflowId, history } = await loadHistory('deposit-funded');
    await expect(
      Worker.runReplayHistory({ workflowsPath: path.resolve(import.meta.dirname, 'fixtures/reordered-deposit.ts') }, history, workflowId),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
