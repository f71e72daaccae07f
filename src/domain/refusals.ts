// Why a saga's accept step refused a request: a domain outcome. Workflows and activities return it; only the API
// decides what it looks like over HTTP (src/api/accept.ts), so no HTTP vocabulary reaches workflows/ or activities/.

export type RefusalCode =
  | 'not_found' // the user or the transaction it names does not exist (for this caller)
  | 'kyc_required' // the user's KYC is not approved
  | 'kyc_already_approved' // a KYC submission for a verified user
  | 'decision_in_progress' // the previous submission is still being decided
  | 'id_taken' // the request's id names another user's resource
  | 'wallet_not_created' // the custody provider did not create the wallet
  | 'insufficient_funds' // buying power does not cover the amount
  | 'daily_limit' // the day's withdrawal limit would be exceeded
  | 'no_position' // a sell beyond what the user holds
  | 'unknown_basket' // no active basket has the id
  | 'amount_too_small'; // below the broker's smallest order

export interface Refusal {
  code: RefusalCode;
  /** For the person who made the request: what was refused and why, with the figures. */
  detail: string;
}

export function refusal(code: RefusalCode, detail: string): Refusal {
  return { code, detail };
}
