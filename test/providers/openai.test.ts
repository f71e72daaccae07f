import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiLlm } from '../../src/providers/openai/llm.js';
import type { LlmPort } from '../../src/providers/ports.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { providerError } from './support.js';

// OpenAI Chat Completions through the official SDK adapter (maxRetries 0), against the sandbox.

let sandbox: TestSandbox;
let llm: LlmPort;
const prompt = {
  model: 'gpt-4o-mini',
  system: 'You summarise a week of investing.',
  user: 'Deposits $1,250.50; bought 3 baskets; return 4.2%.',
};

beforeAll(async () => {
  sandbox = await startTestSandbox();
  llm = createOpenAiLlm(sandbox.config());
});
afterEach(() => sandbox.control.clearFaults());
afterAll(() => sandbox.stop());

describe('OpenAI adapter', () => {
  it('writes a summary that repeats the figures it was given', async () => {
    const answer = await llm.complete(prompt);
    expect(answer.model).toBe('gpt-4o-mini');
    for (const figure of ['$1,250.50', '3', '4.2%']) expect(answer.text).toContain(figure);
  });

  it('fails retryably on an outage or a timeout, without retrying inside the SDK', async () => {
    await sandbox.control.fault({ provider: 'openai', operation: 'chatCompletion', kind: 'http500' });
    expect(await providerError(llm.complete(prompt))).toMatchObject({
      provider: 'openai',
      kind: 'unavailable',
      retryable: true,
      details: { status: 500 },
    });
    await sandbox.control.fault({ provider: 'openai', operation: 'chatCompletion', kind: 'timeout' });
    expect(await providerError(llm.complete(prompt))).toMatchObject({ kind: 'timeout', retryable: true });
    // maxRetries 0: one fault was enough to fail each call, so the next call succeeds.
    expect((await llm.complete(prompt)).text).toContain('4.2%');
  });

  it('reports a refused prompt as a rejection and a wrong key as auth', async () => {
    await sandbox.control.fault({ provider: 'openai', operation: 'chatCompletion', kind: 'reject' });
    expect(await providerError(llm.complete(prompt))).toMatchObject({
      kind: 'rejected',
      retryable: false,
      details: { status: 400, code: 'content_policy_violation' },
    });
    const wrong = createOpenAiLlm(sandbox.config({ OPENAI_API_KEY: 'sk-wrong' }));
    expect(await providerError(wrong.complete(prompt))).toMatchObject({ kind: 'auth', retryable: false, details: { status: 401 } });
  });
});
