import { createHash } from 'node:crypto';
import { Router } from 'express';
import { endpoint } from './http.js';
import { ProviderHttpError, type ProviderDialect } from './http.js';
import type { SandboxState } from './state.js';

// OpenAI's Chat Completions, answered deterministically: a short markdown summary that repeats the figures
// found in the user's message, so a test can check that the numbers it sent come back in the summary.

function openaiError(status: number, type: string, message: string, code: string | null, param: string | null = null) {
  return new ProviderHttpError(status, { error: { message, type, param, code } });
}

function openaiDialect(apiKey: string): ProviderDialect {
  return {
    provider: 'openai',
    authenticate: (req) =>
      req.get('authorization') === `Bearer ${apiKey}`
        ? undefined
        : openaiError(401, 'invalid_request_error', 'Incorrect API key provided.', 'invalid_api_key'),
    serverError: () => openaiError(500, 'server_error', 'The server had an error while processing your request. Sorry about that!', null),
    rejection: () =>
      openaiError(
        400,
        'invalid_request_error',
        'Your request was rejected as a result of our safety system.',
        'content_policy_violation',
        'messages',
      ),
    notFound: (what) => openaiError(404, 'invalid_request_error', `The ${what} does not exist.`, 'model_not_found'),
    invalid: (message) => openaiError(400, 'invalid_request_error', message, null),
  };
}

interface ChatMessage {
  role: string;
  content: string | { type: string; text?: string }[];
}

const text = (m: ChatMessage) => (typeof m.content === 'string' ? m.content : m.content.map((p) => p.text ?? '').join(' '));
const tokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));

export function summarize(user: string): string {
  const figures = [...new Set(user.match(/[-+]?\$?\d[\d,]*(?:\.\d+)?%?/g) ?? [])].slice(0, 12);
  const lines = ['## Your week in review', ''];
  if (figures.length === 0) lines.push('- No account activity to report this week.');
  else lines.push(...figures.map((f) => `- ${f}`));
  lines.push('', 'This summary is informational and is not investment advice.');
  return lines.join('\n');
}

export class OpenAiSim {
  readonly dialect: ProviderDialect;

  constructor(private readonly state: SandboxState) {
    this.dialect = openaiDialect(state.settings.credentials.openaiApiKey);
  }

  router(): Router {
    const router = Router();
    router.post(
      '/v1/chat/completions',
      endpoint(this.state, this.dialect, 'chatCompletion', (req) => {
        const body = (req.body ?? {}) as { model?: unknown; messages?: unknown };
        if (typeof body.model !== 'string' || body.model === '') throw this.dialect.invalid('you must provide a model parameter');
        if (!Array.isArray(body.messages) || body.messages.length === 0) {
          throw openaiError(400, 'invalid_request_error', "'messages' must contain at least one message.", null, 'messages');
        }
        const messages = body.messages as ChatMessage[];
        const user = messages
          .filter((m) => m.role === 'user')
          .map(text)
          .join('\n');
        const content = summarize(user);
        const promptTokens = tokens(messages.map(text).join('\n'));
        const completionTokens = tokens(content);
        const id = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 24);
        return {
          body: {
            id: `chatcmpl-${id}`,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: body.model,
            choices: [
              { index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' },
            ],
            usage: {
              prompt_tokens: promptTokens,
              completion_tokens: completionTokens,
              total_tokens: promptTokens + completionTokens,
              prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
              completion_tokens_details: {
                reasoning_tokens: 0,
                audio_tokens: 0,
                accepted_prediction_tokens: 0,
                rejected_prediction_tokens: 0,
              },
            },
            service_tier: 'default',
            system_fingerprint: 'fp_sandbox',
          },
        };
      }),
    );
    return router;
  }
}
