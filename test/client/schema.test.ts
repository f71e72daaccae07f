import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSchemaFile, clientSchemaSource } from '../../scripts/lib/client-schema.js';
import { startApi, type Api } from '../api/harness.js';

// client/schema.d.ts is generated from /openapi.json and committed. It goes stale the moment a route, a schema or
// an operationId changes without `npm run client:generate`; this regenerates it in memory from the served document.

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

describe('client/schema.d.ts', () => {
  it('is what openapi-typescript makes of the served /openapi.json (else: npm run client:generate)', async () => {
    const { body: document } = await api.request('GET', '/openapi.json');
    const fresh = await clientSchemaSource(document);
    const committed = await readFile(clientSchemaFile, 'utf8').catch(() => '(missing)');
    expect(committed === fresh, 'client/schema.d.ts is stale: run `npm run client:generate`').toBe(true);
  });

  it('names each operation after its operationId', async () => {
    const committed = await readFile(clientSchemaFile, 'utf8');
    for (const operationId of ['createWithdrawal', 'getWithdrawal', 'createOrder', 'listPositions', 'retryParkedDeposit']) {
      expect(committed).toMatch(new RegExp(`^    ${operationId}: \\{`, 'm'));
    }
  });
});
