import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from './harness.js';

const contractFile = path.resolve(import.meta.dirname, '../../../shared/API.md');

/** Every `METHOD /path` of the contract's route table, with `{a|b}` alternatives spelled out. */
function contractRoutes(): [string, string][] {
  const table = readFileSync(contractFile, 'utf8').split('## Routes')[1]!.split('\n## ')[0]!;
  const routes: [string, string][] = [];
  for (const [, method, route] of table.matchAll(/`(GET|PUT|POST|DELETE|PATCH) ([^`]+)`/g)) {
    const alternatives = /\{([a-z]+(?:\\?\|[a-z]+)+)\}/.exec(route!);
    const paths = alternatives ? alternatives[1]!.split(/\\?\|/).map((choice) => route!.replace(alternatives[0], choice)) : [route!];
    for (const p of paths) routes.push([method!.toLowerCase(), p.replace(/\{userId\}/, '{userId}')]);
  }
  return routes;
}

// The served OpenAPI document comes from the schemas that validate requests, so it lists every route the app
// answers, with the same constraints.

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

describe('GET /openapi.json', () => {
  it('documents the routes of the contract with their request schemas and problem responses', async () => {
    const { status, body: doc } = await api.request('GET', '/openapi.json');
    expect(status).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    for (const [path, method] of [
      ['/healthz', 'get'],
      ['/readyz', 'get'],
      ['/v1/me', 'put'],
      ['/v1/me', 'get'],
      ['/v1/me/passcode', 'put'],
      ['/v1/me/kyc', 'post'],
      ['/v1/admin/users/{userId}/kyc-decision', 'post'],
      ['/v1/wallets', 'post'],
      ['/v1/deposits/{id}', 'get'],
      ['/v1/webhooks/circle', 'post'],
      ['/v1/balances', 'get'],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    const passcode = doc.paths['/v1/me/passcode'].put;
    expect(passcode.requestBody.content['application/json'].schema.properties.passcode.pattern).toBe('^\\d{6}$');
    expect(passcode.responses['401'].content['application/problem+json'].schema.$ref).toBe('#/components/schemas/Problem');
    expect(doc.paths['/v1/webhooks/circle'].post.security).toEqual([]);
    expect(doc.components.schemas.Deposit.properties.amountStablecoin.type).toBe('string');
  });

  it('documents the Idempotency-Key header, and its 409, on exactly the routes that honour it', async () => {
    // The routes that read the header (idempotency.ts); a new caller must be added here and marked `idempotent`.
    const routesDir = path.resolve(import.meta.dirname, '../../src/api/routes');
    const callers = readdirSync(routesDir).filter((f) => readFileSync(path.join(routesDir, f), 'utf8').includes('idempotentCommand('));
    expect(callers.sort()).toEqual(['orders.ts', 'withdrawals.ts']);
    const honouring = ['post /v1/orders', 'post /v1/withdrawals'];

    const { body: document } = await api.request('GET', '/openapi.json');
    const documented: string[] = [];
    for (const [route, item] of Object.entries<Record<string, any>>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        const header = (operation.parameters ?? []).find((p: any) => p.in === 'header' && p.name === 'Idempotency-Key');
        if (!header) continue;
        documented.push(`${method} ${route}`);
        expect(header).toMatchObject({ required: false, schema: { type: 'string', minLength: 1, maxLength: 255 } });
        expect(header.description).toMatch(/same key with a different body is 409/);
        expect(Object.keys(operation.responses)).toContain('409');
      }
    }
    expect(documented.sort()).toEqual(honouring);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const { body: doc } = await api.request('GET', '/openapi.json');
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it.skipIf(!existsSync(contractFile))('documents every route of ../shared/API.md', async () => {
    const { body: doc } = await api.request('GET', '/openapi.json');
    const routes = contractRoutes();
    expect(routes.length).toBeGreaterThan(25);
    // The contract puts /metrics on an internal port (src/api/internal.ts): not part of the public document.
    const missing = routes
      .filter(([method, route]) => !(method === 'get' && route === '/metrics') && !doc.paths[route]?.[method])
      .map(([m, r]) => `${m.toUpperCase()} ${r}`);
    expect(missing).toEqual([]);
  });

  it('has a browsable reference page', async () => {
    const reply = await api.request('GET', '/docs');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/text\/html/);
    expect(reply.body).toContain('docs/start.js'); // Swagger UI, pointed at openapi.json (test/api/docs.test.ts)
  });
});
