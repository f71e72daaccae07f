import type { Server } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { errors as joseErrors } from 'jose';
import { z } from 'zod';
import { createTokenVerifier } from '../api/auth.js';
import { HttpProblem } from '../api/problem.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { dataConverterOf } from '../temporal.js';

// Temporal's remote codec protocol for the Web UI and the CLI: POST …/encode and …/decode (only the last path
// segment counts, so `/{namespace}/decode` works too) with `{ payloads: [...] }` in proto3 JSON (bytes as base64).
// Decoding hands out what the encryption hides, so every call needs an operator's bearer token, verified exactly as
// the API's /v1/admin routes verify it (src/api/auth.ts); browsers get CORS for the configured UI origins only.

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const bodySchema = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), base64).nullish(), data: base64.nullish() }))
    .max(1000)
    .default([]),
});
type JsonPayload = z.infer<typeof bodySchema>['payloads'][number];

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(data ?? '', 'base64'),
});
const toJson = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
});

const sessionCookie = 'fundflow_codec_token';

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** The UI origins allowed to call from a browser: CODEC_SERVER_CORS_ORIGINS, else the configured Web UI's. */
export function codecCorsOrigins(config: Config): string[] {
  return config.CODEC_SERVER_CORS_ORIGINS.length > 0 ? config.CODEC_SERVER_CORS_ORIGINS : [new URL(config.TEMPORAL_UI_URL).origin];
}

export function createCodecApp(deps: { config: Config; logger: Logger; codec: PayloadCodec }): express.Express {
  const { config, logger, codec } = deps;
  const origins = new Set(codecCorsOrigins(config));
  const verify = createTokenVerifier(config);
  const app = express();
  app.disable('x-powered-by');

  app.use((req, res, next) => {
    const origin = req.get('origin');
    const allowed = origin !== undefined && origins.has(origin);
    res.vary('Origin');
    if (allowed) {
      res.set('Access-Control-Allow-Origin', origin);
      // The UI sends the operator's access token (Authorization) and, when told to, cookies.
      res.set('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method !== 'OPTIONS') return next();
    if (!allowed) return void res.status(403).end();
    res.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
    res.set('Access-Control-Max-Age', '600');
    res.status(204).end();
  });

  app.get('/healthz', (_req, res) => void res.json({ ok: true }));

  // A Web UI with no login of its own (the dev server's) has no access token to pass: the operator signs in here once
  // with their token and the UI, with "include cross-origin credentials", sends it back as this cookie.
  app.get('/login', (_req, res) => {
    res
      .type('html')
      .send(
        '<!doctype html><title>fundflow codec server</title><form method="post" action="/login">' +
          '<label>Operator token <input name="token" type="password" autocomplete="off"></label> <button>Sign in</button></form>',
      );
  });
  app.post('/login', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    await operatorOf(token);
    res.cookie(sessionCookie, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: 8 * 3600_000 });
    res.type('text').send('Signed in: the Web UI can decode payloads now.');
  });

  async function operatorOf(token: string | undefined) {
    const unauthorized = (detail: string) =>
      new HttpProblem(401, detail, { headers: { 'WWW-Authenticate': 'Bearer realm="fundflow-codec"' } });
    if (!token) throw unauthorized('A bearer token is required');
    let identity;
    try {
      identity = await verify(token);
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) throw unauthorized('The bearer token is invalid or expired');
      throw error;
    }
    if (!identity.operator) throw new HttpProblem(403, identity.operatorRefusal ?? 'The codec server is for operators');
    return identity;
  }

  app.post(['/encode', '/decode', '/{*prefix}/encode', '/{*prefix}/decode'], express.json({ limit: '8mb' }), async (req, res) => {
    const bearer = /^Bearer ([^\s]+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const identity = await operatorOf(bearer ?? cookieOf(req.get('cookie'), sessionCookie));
    // The Temporal CLI sends an empty X-Namespace unless given --namespace.
    const namespace = req.get('x-namespace') || config.TEMPORAL_NAMESPACE;
    if (namespace !== config.TEMPORAL_NAMESPACE)
      throw new HttpProblem(403, `This codec server serves namespace ${config.TEMPORAL_NAMESPACE}`);
    const body = bodySchema.safeParse(req.body);
    if (!body.success) {
      throw HttpProblem.invalid(
        'The body is not { payloads: [...] } in proto3 JSON',
        body.error.issues.map((i) => ({ path: `body.${i.path.join('.')}`, message: i.message })),
      );
    }

    const action = req.path.endsWith('/encode') ? 'encode' : 'decode';
    let payloads: Payload[];
    try {
      payloads = await codec[action](body.data.payloads.map(fromJson));
    } catch (error) {
      throw new HttpProblem(422, (error as Error).message);
    }
    // Who read what: an operator's decode is an access to customers' data.
    logger.info({ operator: identity.subject, action, namespace, payloads: payloads.length }, 'codec request');
    res.json({ payloads: payloads.map(toJson) });
  });

  app.use((req, _res, next) => next(new HttpProblem(404, `No route for ${req.method} ${req.path}`)));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const problem =
      error instanceof HttpProblem
        ? error
        : error instanceof Error && 'status' in error && typeof error.status === 'number' && error.status < 500
          ? new HttpProblem(error.status, error.message)
          : new HttpProblem(500, 'The codec server failed to handle the request');
    if (problem.status >= 500) logger.error({ err: error }, 'codec server error');
    for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  });
  return app;
}

/** Listens on HTTP_HOST:port (CODEC_SERVER_PORT unless given) with the configured payload keys. */
export async function startCodecServer(options: { config: Config; logger: Logger; port?: number }): Promise<Server> {
  const codec = dataConverterOf(options.config)?.payloadCodecs?.[0];
  if (!codec) throw new Error('TEMPORAL_PAYLOAD_KEYS is empty: there is nothing for a codec server to decode');
  const app = createCodecApp({ ...options, codec });
  return new Promise((resolve, reject) => {
    const server = app.listen(options.port ?? options.config.CODEC_SERVER_PORT, options.config.HTTP_HOST, (error?: Error) =>
      error ? reject(error) : resolve(server),
    );
  });
}
