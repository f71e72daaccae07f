// Values shared by funding activities and the workflows that call them. Workflow code imports this file, so it
// must stay free of I/O and of anything Node-only.

/** Failure type of acceptDeposit when Circle has not seen the reported hash (yet): retried briefly, then 404. */
export const transferNotSeen = 'TransferNotSeen';
