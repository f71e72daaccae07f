import type { NextFunction, Request, Response } from 'express';
import { HttpProblem } from './problem.js';

// The one place an error becomes a response: application/problem+json for everything, 4xx for anything the
// client sent wrong (malformed JSON included), 500 only for our own failures — logged with their stack.

export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new HttpProblem(404, `No route for ${req.method} ${req.path}`));
}

/** Errors raised by Express's body parsers carry a 4xx status and a `type` such as `entity.parse.failed`. */
function fromBodyParser(error: unknown): HttpProblem | undefined {
  if (!(error instanceof Error) || !('type' in error) || !('status' in error)) return undefined;
  const status = error.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (error.type === 'entity.parse.failed') {
    return HttpProblem.malformedJson();
  }
  return new HttpProblem(status, error.message);
}

export function errorHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  const problem =
    error instanceof HttpProblem ? error : (fromBodyParser(error) ?? new HttpProblem(500, 'The server failed to handle the request'));
  if (problem.status >= 500) req.log.error({ err: error }, 'request error');
  if (res.headersSent) return void res.end();
  res.status(problem.status).type('application/problem+json');
  for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
  res.send(JSON.stringify(problem));
}
