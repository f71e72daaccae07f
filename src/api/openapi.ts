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

export interface RouteDoc {
  method: Method;
  /** Express path, e.g. `/v1/deposits/:id`. */
  path: string;
  summary: string;
  description?: string;
  body?: z.ZodType;
  query?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** Problem statuses this route answers beyond the ones its shape implies (400, 401, 403 admin, 404 ids). */
  problems?: number[];
}

/** Who may call a path: the whole /v1 needs a bearer token, /v1/admin an operator's, webhooks none. */
export function accessOf(path: string): 'public' | 'user' | 'operator' {
  if (path.startsWith('/v1/admin/')) return 'operator';
  if (path.startsWith('/v1/webhooks/') || !path.startsWith('/v1/')) return 'public';
  return 'user';
}

const documented = new Set<string>();

export function documentRoute(doc: RouteDoc): void {
  const key = `${doc.method} ${doc.path}`;
  if (documented.has(key)) return;
  documented.add(key);

  const access = accessOf(doc.path);
  const paramNames = [...doc.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const problems = new Set(doc.problems ?? []);
  if (doc.body || doc.query) problems.add(400);
  if (access !== 'public') problems.add(401);
  if (access === 'operator') problems.add(403);
  if (paramNames.length > 0) problems.add(404);
  // Every /v1 request spends its address's and its user's rate limit buckets (rate-limit.ts).
  if (doc.path.startsWith('/v1/')) problems.add(429);

  registry.registerPath({
    method: doc.method,
    path: doc.path.replace(/:(\w+)/g, '{$1}'),
    summary: doc.summary,
    description: doc.description,
    tags: [doc.path.split('/')[2] ?? 'health'],
    security: access === 'public' ? [] : [{ bearer: [] }],
    request: {
      params: paramNames.length ? z.object(Object.fromEntries(paramNames.map((n) => [n, z.string()]))) : undefined,
      query: doc.query as z.ZodObject | undefined,
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
      },
    });
    cached = { size: registry.definitions.length, document };
  }
  return cached.document;
}
