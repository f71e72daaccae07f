import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { rateLimitBucketsOf } from './rate-limit.js';

// The served OpenAPI document, generated from the same zod schemas that validate requests and shape responses.
// Routes describe themselves through `documentRoute` (route.ts does it for every route it registers).

const registry = new OpenAPIRegistry();
registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' });

const retryAfterHeader = {
  description: 'Seconds to wait before trying again',
  schema: { type: 'integer' as const, minimum: 1 },
};

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head';

/** The tags of the document, each declared with its description: a route names one of them. */
export const apiTags = {
  health: 'Liveness and readiness of the API process',
  reference: 'This API described: the OpenAPI document and its browsable page',
  webhooks: 'Notifications providers push to fundflow (no bearer token; each signed by its sender)',
  me: "The caller's user: profile, passcode, KYC submission",
  wallets: "The caller's deposit wallets at Circle, one per chain",
  deposits: 'USDC sent on chain to a wallet, off-ramped to USD and credited as buying power',
  withdrawals: 'Buying power sent back as USDC to an address on chain',
  balances: "The caller's buying power and money on its way",
  orders: 'Buys and sells of baskets, stocks, ETFs and options',
  positions: 'What the caller holds at the broker',
  baskets: 'The baskets on offer',
  summaries: "The caller's weekly AI portfolio summaries",
  events: "The caller's events (status changes, summaries), also pushed to operators' webhook endpoints",
  admin: "Operators' routes (a token with role operator): decisions, parked runs, audit, reconciliation",
} as const;

export type ApiTag = keyof typeof apiTags;

export interface RouteDoc {
  method: Method;
  /** Express path, e.g. `/v1/deposits/:id`. */
  path: string;
  /**
   * camelCase, unique in the document (checked when the route registers). Generated clients name their methods
   * after it (client/), so renaming one breaks every caller: choose it once.
   */
  operationId: string;
  /** One of `apiTags`: the group of the operation in /docs and in generated clients. */
  tag: ApiTag;
  summary: string;
  /** What a caller needs beyond the summary; Spectral's recommended ruleset asks every operation for one. */
  description: string;
  body?: z.ZodType;
  query?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** Problem statuses this route answers beyond the ones its shape implies (400, 401, 403 admin, 404 ids). */
  problems?: number[];
  /** The route honours an Idempotency-Key header (idempotency.ts): documented as a header parameter, with its 409. */
  idempotent?: boolean;
}

/** The Idempotency-Key header of the routes that honour it (idempotency.ts). */
const idempotencyKeyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/)
    .optional()
    .meta({
      description:
        'Makes the command safe to repeat: a repeat with the same key and body answers the first result (header ' +
        'Idempotent-Replayed: true) and starts nothing new; the same key with a different body is 409. 1 to 255 ' +
        'printable ASCII characters, e.g. a UUID; kept IDEMPOTENCY_KEY_RETENTION_HOURS (at least 24 hours).',
      example: '5f0c6a1e-2b7d-4c3e-9a8f-1d2e3f4a5b6c',
    }),
});

/** Who may call a path: the whole /v1 needs a bearer token, /v1/admin an operator's, webhooks none. */
export function accessOf(path: string): 'public' | 'user' | 'operator' {
  if (path.startsWith('/v1/admin/')) return 'operator';
  if (path.startsWith('/v1/webhooks/') || !path.startsWith('/v1/')) return 'public';
  return 'user';
}

const documented = new Set<string>();
const operationIds = new Map<string, string>();

export function documentRoute(doc: RouteDoc): void {
  const key = `${doc.method} ${doc.path}`;
  if (documented.has(key)) return;
  if (!/^[a-z][a-zA-Z0-9]*$/.test(doc.operationId)) throw new Error(`${key}: operationId ${doc.operationId} is not camelCase`);
  const taken = operationIds.get(doc.operationId);
  if (taken) throw new Error(`${key}: operationId ${doc.operationId} is already ${taken}'s`);
  if (!doc.description.trim()) throw new Error(`${key}: an empty description`);
  documented.add(key);
  operationIds.set(doc.operationId, key);

  const access = accessOf(doc.path);
  const paramNames = [...doc.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const problems = new Set(doc.problems ?? []);
  if (doc.body || doc.query) problems.add(400);
  if (access !== 'public') problems.add(401);
  if (access === 'operator') problems.add(403);
  if (paramNames.length > 0) problems.add(404);
  if (doc.idempotent) problems.add(409);
  // Every /v1 request spends its address's and its user's rate limit buckets (rate-limit.ts).
  if (doc.path.startsWith('/v1/')) problems.add(429);

  registry.registerPath({
    method: doc.method,
    path: doc.path.replace(/:(\w+)/g, '{$1}'),
    operationId: doc.operationId,
    summary: doc.summary,
    description: doc.description,
    tags: [doc.tag],
    security: access === 'public' ? [] : [{ bearer: [] }],
    request: {
      params: paramNames.length ? z.object(Object.fromEntries(paramNames.map((n) => [n, z.string()]))) : undefined,
      query: doc.query as z.ZodObject | undefined,
      headers: doc.idempotent ? idempotencyKeyHeaders : undefined,
      body: doc.body ? { content: { 'application/json': { schema: doc.body } }, required: true } : undefined,
    },
    responses: {
      ...Object.fromEntries(
        Object.entries(doc.responses).map(([status, r]) => [
          status,
          { description: r.description, ...(r.schema ? { content: { 'application/json': { schema: r.schema } } } : {}) },
        ]),
      ),
      ...Object.fromEntries(
        [...problems].sort().map((status) => [
          status,
          {
            description: status === 429 ? tooManyRequests(doc) : 'Problem',
            ...(status === 429 ? { headers: { 'Retry-After': retryAfterHeader } } : {}),
            content: { 'application/problem+json': { schema: problemSchema } },
          },
        ]),
      ),
    },
  });
}

/** The 429 of a route: which rate limit buckets it spends (rate-limit.ts), and the passcode lockout where it applies. */
function tooManyRequests(doc: RouteDoc): string {
  const buckets = rateLimitBucketsOf(doc.method, doc.path);
  const limited = buckets.length ? `Rate limited: over one of its buckets per window: ${buckets.join('; ')}` : 'Too many requests';
  return `${limited}${doc.problems?.includes(429) ? ' (or locked out by the passcode guard)' : ''}. Wait Retry-After seconds.`;
}

let cached: { size: number; document: unknown } | undefined;

export function openApiDocument(): unknown {
  if (cached?.size !== registry.definitions.length) {
    const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
      openapi: '3.1.0',
      info: {
        title: 'fundflow API',
        version: '1',
        description:
          'Deposits, withdrawals, orders and summaries of the fundflow orchestrator. Money is a decimal string; ' +
          'errors are application/problem+json; POST withdrawals and orders honour Idempotency-Key.',
        contact: { name: 'fundflow maintainers' },
      },
      // Relative: the API that serves this document (OpenAPI 3.1 resolves it against the document's URL).
      servers: [{ url: '/', description: 'The fundflow API serving this document' }],
      tags: Object.entries(apiTags).map(([name, description]) => ({ name, description })),
    });
    cached = { size: registry.definitions.length, document };
  }
  return cached.document;
}
