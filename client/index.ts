import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.js';

// fundflow's typed client: openapi-fetch over the types openapi-typescript generated from /openapi.json
// (schema.d.ts). Paths, parameters, bodies and answers are checked against the API description at compile time.

export type { components, operations, paths } from './schema.js';
export type FundflowClient = Client<paths>;

/** A bearer token, or a function that returns a fresh one for each request (tokens expire). */
export type TokenSource = string | (() => string | Promise<string>);

/**
 * `baseUrl` is where the API answers (`https://api.example.com`, no trailing `/v1`); every request carries
 * `Authorization: Bearer <token>`.
 */
export function createFundflowClient(baseUrl: string, token: TokenSource, options: { fetch?: typeof fetch } = {}): FundflowClient {
  const client = createClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, ''), fetch: options.fetch });
  client.use({
    async onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${typeof token === 'function' ? await token() : token}`);
      return request;
    },
  });
  return client;
}
