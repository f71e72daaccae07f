import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { documentRoute, type RouteDoc } from './openapi.js';
import { parse } from './validate.js';

// One declaration per route: method, path, schemas and handler. The body and query are parsed (400 with every
// invalid field) before the handler runs, path parameters arrive typed by name, and the same schemas document
// the route in /openapi.json.

/** `/v1/users/:userId/kyc` -> `{ userId: string }`. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, string>;

export interface RouteSpec<P extends string, B extends z.ZodType, Q extends z.ZodType> extends RouteDoc {
  path: P;
  body?: B;
  query?: Q;
}

export interface RouteInput<P extends string, B extends z.ZodType, Q extends z.ZodType> {
  body: z.output<B>;
  query: z.output<Q>;
  params: PathParams<P>;
}

export function route<P extends string, B extends z.ZodType = z.ZodNever, Q extends z.ZodType = z.ZodNever>(
  router: Router,
  spec: RouteSpec<P, B, Q>,
  handler: (req: Request, res: Response, input: RouteInput<P, B, Q>) => Promise<unknown> | unknown,
): void {
  documentRoute(spec);
  router[spec.method](spec.path, async (req: Request, res: Response) => {
    const input = {
      body: spec.body ? parse(spec.body, req.body, 'body') : undefined,
      query: spec.query ? parse(spec.query, req.query, 'query') : undefined,
      params: req.params,
    } as RouteInput<P, B, Q>;
    await handler(req, res, input);
  });
}
