import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger.js';
import { httpRequestDuration } from '../metrics.js';
import { activeTraceId } from '../tracing.js';

// Per-request context: the request id (the trace id when tracing is on, else X-Request-Id in and out), a child logger that carries it, one JSON log
// line per request (with the caller's user id once authenticated) and the latency histogram.

declare global {
  namespace Express {
    interface Request {
      id: string;
      log: Logger;
      /** Set by the auth middleware from a verified token. */
      auth?: { subject: string; customer: boolean; operator: boolean; operatorRefusal?: string };
      /** The users id of `auth.subject`, resolved by the auth middleware; undefined until PUT /v1/me creates it. */
      callerId?: string;
    }
  }
}

const acceptableRequestId = /^[\w.:-]{1,128}$/;

export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    req.id = activeTraceId() ?? (incoming && acceptableRequestId.test(incoming) ? incoming : randomUUID());
    req.log = logger.child({ requestId: req.id });
    res.setHeader('X-Request-Id', req.id);

    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      httpRequestDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      const line = {
        method: req.method,
        path: req.path,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e4) / 10,
        userId: req.callerId,
      };
      if (res.statusCode >= 500) req.log.error(line, 'request failed');
      else req.log.info(line, 'request');
    });
    next();
  };
}
