import path from 'node:path';
import { Client } from '@temporalio/client';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { createApp } from '../../src/api/app.js';
import { openApiDocument } from '../../src/api/openapi.js';
import { loadConfig } from '../../src/config.js';
import { createDb } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';

// The typed client's schema (client/schema.d.ts) is openapi-typescript's rendering of /openapi.json. One function
// renders it, for `npm run client:generate` and for the test that fails when the committed file is stale.

export const clientSchemaFile = path.resolve(import.meta.dirname, '../../client/schema.d.ts');

const header = '// Generated from /openapi.json by openapi-typescript: do not edit. Regenerate with `npm run client:generate`.\n\n';

export async function clientSchemaSource(document: unknown): Promise<string> {
  return header + astToString(await openapiTS(document as OpenAPI3));
}

/**
 * /openapi.json as the API serves it, without a database or Temporal behind it: every route registers its part
 * when the app is assembled, and nothing connects until a request needs it.
 */
export function servedOpenApiDocument(): unknown {
  const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent' });
  const db = createDb(config.DATABASE_URL, 1);
  createApp({ config, db, temporal: new Client(), logger: createLogger('silent', 'openapi') });
  return openApiDocument();
}
