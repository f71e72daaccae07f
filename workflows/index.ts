// Every workflow the worker registers (its workflowsPath). One export line per saga file.
export * from './summary.js';
