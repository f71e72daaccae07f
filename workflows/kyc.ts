import { condition, setHandler } from '@temporalio/workflow';
import { kycTransitions, type KycStatus } from '../src/domain/status.js';
import { db } from './activities.js';
import { acceptUpdate, kycDecisionSignal, type AcceptResult } from './definitions.js';
import { once, refused, Saga } from './saga.js';
import { refusal } from '../src/domain/refusals.js';

// KYC of one user (id workflowIds.kyc(userId)). Accept moves users.kyc_status to `pending` (from not_started, or
// from rejected: a re-submission is a new run of the same id once the previous one closed); then the run waits,
// as long as it takes, for the decision (kycDecisionSignal from the operator route or a provider webhook) and
// records it; approval also opens the user's balances row. An already approved user is refused with 409.

export interface KycInput {
  userId: string;
}

export async function kycWorkflow({ userId }: KycInput): Promise<KycStatus | undefined> {
  const saga = new Saga<KycStatus>('kyc', userId, 'pending', kycTransitions);
  let decision: { decision: 'approved' | 'rejected'; reason?: string } | undefined;
  setHandler(kycDecisionSignal, (signal) => {
    decision ??= signal;
  });
  const accept = once((): Promise<AcceptResult> => db.submitKyc({ userId }));
  // A submission that reaches this run after its decision arrived cannot be this run's: it must wait until the
  // run has closed and start a new one, or it would be answered "pending" while the row says rejected.
  setHandler(acceptUpdate, (): Promise<AcceptResult> | AcceptResult =>
    decision === undefined
      ? accept()
      : { accepted: false, refusal: refusal('decision_in_progress', 'The previous submission is being decided; submit again in a moment') },
  );

  if (!(await accept()).accepted) return refused();
  saga.begin('pending');

  await condition(() => decision !== undefined);
  const status = await saga.step('recordKycDecision', () => db.recordKycDecision({ userId, decision: decision!.decision }));
  saga.transition(status);
  return status;
}
