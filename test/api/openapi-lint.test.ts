import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFindings, lintOpenApi } from '../../scripts/lib/openapi-lint.js';
import { documentRoute, type RouteDoc } from '../../src/api/openapi.js';
import { startApi, type Api } from './harness.js';

// What an app team's linter says about the served document: Spectral's recommended OpenAPI ruleset, as
// `npx spectral lint` would run it. Errors and warnings fail the suite; client generators name their methods after
// the operationIds it insists on.

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

describe("/openapi.json under Spectral's recommended ruleset", () => {
  it('has no errors and no warnings', async () => {
    const { body: document } = await api.request('GET', '/openapi.json');
    const findings = await lintOpenApi(document);
    const failing = findings.filter((f) => f.severity === 'error' || f.severity === 'warn');
    if (findings.length) console.log(`Spectral (spectral:oas recommended) on /openapi.json:\n${formatFindings(findings)}`);
    expect(failing.map((f) => `${f.rule} ${f.at}`)).toEqual([]);
  });

  it('names every operation with a unique camelCase operationId under a declared, described tag', async () => {
    const { body: document } = await api.request('GET', '/openapi.json');
    const operations = Object.values<Record<string, { operationId?: string; tags?: string[]; description?: string }>>(
      document.paths,
    ).flatMap((methods) => Object.values(methods));
    expect(operations.length).toBeGreaterThan(35);
    const ids = operations.map((o) => o.operationId);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    expect(new Set(ids).size).toBe(ids.length);
    const declared = new Map<string, string>(document.tags.map((t: { name: string; description: string }) => [t.name, t.description]));
    for (const o of operations) {
      expect(o.tags).toHaveLength(1);
      expect(declared.get(o.tags![0]!), o.operationId).toBeTruthy();
      expect(o.description?.trim(), o.operationId).toBeTruthy();
    }
  });

  it('refuses a route whose operationId is taken or not camelCase, before it reaches the document', () => {
    const route: RouteDoc = {
      method: 'get',
      path: '/v1/not-a-route',
      operationId: 'getWithdrawal',
      tag: 'withdrawals',
      summary: 'x',
      description: 'x',
      responses: { 200: { description: 'x' } },
    };
    expect(() => documentRoute(route)).toThrow(/getWithdrawal is already get \/v1\/withdrawals\/:id's/);
    expect(() => documentRoute({ ...route, operationId: 'get-not-a-route' })).toThrow(/not camelCase/);
    expect(() => documentRoute({ ...route, operationId: 'getNotARoute', description: ' ' })).toThrow(/empty description/);
  });

  it('finds what a new user would be told about an undocumented operation', async () => {
    // The linter itself is what this suite relies on: a document with the usual gaps must fail it.
    const findings = await lintOpenApi({
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: { '/x': { get: { summary: 'x', tags: ['nowhere'], responses: { 200: { description: 'ok' } } } } },
    });
    const rules = new Set(findings.filter((f) => f.severity === 'warn').map((f) => f.rule));
    for (const rule of ['operation-operationId', 'operation-description', 'operation-tag-defined', 'oas3-api-servers', 'info-contact']) {
      expect(rules, rule).toContain(rule);
    }
  });
});
