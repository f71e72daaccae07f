import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../../activities/index.js';
import { rowFailedType } from '../../../src/domain/status.js';
import { balancesOf, createUser, depositRowOf, startStack, type Stack } from '../../helpers/stack.js';

// confirmDeposit reads its row once (the facts Circle's transfer is checked against, status included) and makes
// the check every step makes before calling a provider on that read: a failed row ends the run, it is not checked
// against Circle (without the check it would fail as a mismatch, or be confirmed and credited again).

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ name: 'confirm', worker: false });
});
afterAll(() => stack.stop());

describe('confirmDeposit', () => {
  it('refuses a failed row as RowFailed before anything else, and credits nothing', async () => {
    const { db, providers, config, logger } = stack;
    const user = await createUser(db);
    const deposit = await depositRowOf(db, user.id, 'failed');
    const { confirmDeposit } = createActivities({ db, providers, config, logger });
    const refused = await confirmDeposit({ depositId: deposit.id }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect((refused as ApplicationFailure).type).toBe(rowFailedType);
    expect(await balancesOf(db, user.id)).toMatchObject({ pendingBrokerDepositsUsd: '0.00' });
  });
});
