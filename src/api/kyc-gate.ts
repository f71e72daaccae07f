import type { User } from '../generated/prisma/client.js';
import { HttpProblem } from './problem.js';

/** Money and wallets are for verified users only: 403 until KYC is approved. */
export function assertKycApproved(user: User): void {
  if (user.kycStatus !== 'approved') {
    throw new HttpProblem(403, `KYC is ${user.kycStatus}; this needs an approved KYC`, { title: 'KYC not approved' });
  }
}
