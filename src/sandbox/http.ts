import type { Request, RequestHandler, Response } from 'express';
import type { Fault, SandboxProvider } from './faults.js';
import type { SandboxState } from './state.js';

// The one request pipeline of every simulated endpoint: check the provider's credentials, apply an injected
// fault, run the handler, answer in the provider's own error dialect. A `timeout` fault runs the handler (the
// effect happens, as when a real provider answers too late) and then holds the answer past the client's timeout.

export class ProviderHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`provider error ${status}`);
  }
}

/** How one provider authenticates and what its generic failures look like on the wire. */
export interface ProviderDialect {
  provider: SandboxProvider;
  /** An error when the request's credentials are wrong, undefined when they are right. */
  authenticate(req: Request): ProviderHttpError | undefined;
  serverError(): ProviderHttpError;
  /** The business rejection used when an endpoint has no specific one. */
  rejection(): ProviderHttpError;
  notFound(what: string): ProviderHttpError;
  invalid(message: string): ProviderHttpError;
}

export interface Reply {
  status?: number;
  body: unknown;
}

export interface HandlerContext {
  fault?: Fault;
  /** A `reject` fault hit an endpoint that rejects inside its handler (e.g. a payout that fails later). */
  reject: boolean;
  /** The rejection a `reject` fault makes of a keyed endpoint's fresh request (`idempotent` throws it). */
  rejection?: ProviderHttpError;
}

export interface EndpointOptions {
  /** The endpoint's own business rejection for a `reject` fault (default: the dialect's). */
  rejection?: (req: Request) => ProviderHttpError;
  /** The handler applies a `reject` fault itself (ctx.reject), e.g. by failing the resource later. */
  rejectInside?: boolean;
  /**
   * The handler is keyed (`idempotent` with its ctx): a `reject` fault refuses a fresh request only; a request
   * repeating an executed key gets the original answer, as an idempotent provider gives it.
   */
  keyed?: boolean;
}

export function endpoint(
  state: SandboxState,
  dialect: ProviderDialect,
  operation: string,
  handler: (req: Request, ctx: HandlerContext) => Reply | Promise<Reply>,
  options: EndpointOptions = {},
): RequestHandler {
  return async (req, res) => {
    const authError = dialect.authenticate(req);
    if (authError) return send(res, authError.status, authError.body, authError.headers);

    const fault = state.faults.take(dialect.provider, operation);
    if (fault) state.logger.info({ provider: dialect.provider, operation, kind: fault.kind }, 'sandbox fault');
    let status: number;
    let body: unknown;
    let headers: Record<string, string> = {};
    try {
      if (fault?.kind === 'http500') throw dialect.serverError();
      const rejection = fault?.kind === 'reject' ? (options.rejection?.(req) ?? dialect.rejection()) : undefined;
      if (rejection && !options.rejectInside && !options.keyed) throw rejection;
      const reply = await handler(req, { fault, reject: fault?.kind === 'reject', rejection: options.keyed ? rejection : undefined });
      status = reply.status ?? 200;
      body = reply.body;
    } catch (error) {
      const known = error instanceof ProviderHttpError ? error : undefined;
      if (!known) state.logger.error({ err: error, operation }, 'sandbox handler failed');
      const failure = known ?? dialect.serverError();
      ({ status, body, headers } = failure);
    }
    if (fault?.kind === 'timeout') {
      await new Promise((resolve) => setTimeout(resolve, fault.holdMs ?? state.settings.timeoutHoldMs));
      if (res.destroyed || res.writableEnded) return;
    }
    send(res, status, body, headers);
  };
}

function send(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.status(status).set(headers);
  if (body === undefined) res.end();
  else res.json(body);
}

/**
 * Applies an effect once per idempotency key: the same key with the same request answers the first result
 * again (counted as a request, not an effect); the same key with another request is the provider's conflict.
 */
export function idempotent(
  state: SandboxState,
  scope: { provider: SandboxProvider; operation: string },
  key: string,
  request: unknown,
  conflict: () => ProviderHttpError,
  apply: () => Reply,
  ctx?: HandlerContext,
): Reply {
  const scopeId = `${scope.provider}.${scope.operation}`;
  const stored = state.replay(scopeId, key, request);
  if (stored === 'conflict') {
    state.recordEffect(scope.provider, scope.operation, key, false);
    throw conflict();
  }
  if (stored) {
    state.recordEffect(scope.provider, scope.operation, key, false);
    return { status: stored.status, body: structuredClone(stored.body) };
  }
  if (ctx?.rejection) throw ctx.rejection;
  const reply = apply();
  state.remember(scopeId, key, request, reply.status ?? 200, reply.body);
  state.recordEffect(scope.provider, scope.operation, key, true);
  return reply;
}

export function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
