import OpenAI from 'openai';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { ProviderError, type ProviderErrorKind } from '../errors.js';
import type { LlmPort } from '../ports.js';

// OpenAI Chat Completions behind LlmPort. maxRetries is 0: the summary activity runs under Temporal's retry
// policy, which already retries `unavailable`/`timeout`/`rate_limited` with backoff and survives a worker
// restart; SDK retries inside each attempt would multiply the attempts and hide them from Temporal's history.

export function classifyOpenAi(error: unknown): ProviderErrorKind {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return 'timeout';
  if (error instanceof OpenAI.APIConnectionError) return 'unavailable';
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? 0;
    if (status === 401 || status === 403) return 'auth';
    if (status === 404) return 'not_found';
    if (status === 409) return 'conflict';
    if (status === 429) return error.code === 'insufficient_quota' ? 'rejected' : 'rate_limited';
    if (status >= 500 || status === 408) return 'unavailable';
    if (error.code === 'content_policy_violation') return 'rejected';
    return 'invalid_request';
  }
  return 'unavailable';
}

export function createOpenAiLlm(config: Config, logger?: Logger): LlmPort {
  const client = new OpenAI({
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    timeout: config.PROVIDER_TIMEOUT_MS,
    maxRetries: 0,
  });

  return {
    async complete({ model, system, user }) {
      try {
        const completion = await client.chat.completions.create({
          model,
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: user },
          ],
        });
        const text = completion.choices[0]?.message.content;
        if (!text) throw new ProviderError('openai', 'unavailable', 'chatCompletion: empty answer');
        return { text, model: completion.model };
      } catch (error) {
        if (error instanceof ProviderError) throw error;
        const kind = classifyOpenAi(error);
        const status = error instanceof OpenAI.APIError ? error.status : undefined;
        const code = error instanceof OpenAI.APIError ? (error.code ?? undefined) : undefined;
        logger?.warn({ provider: 'openai', operation: 'chatCompletion', kind, status, code }, 'provider call failed');
        throw new ProviderError('openai', kind, `chatCompletion: ${(error as Error).message}`, { status, code }, { cause: error });
      }
    },
  };
}
