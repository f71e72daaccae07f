// Every workflow the worker registers (its workflowsPath). One export line per saga file.
export * from './summary.js';
export * from './kyc.js';
export * from './wallet.js';
export * from './deposit.js';
export * from './withdrawal.js';
export * from './order.js';
export * from './retention.js';
export * from './reconcile.js';
export * from './webhooks.js';
