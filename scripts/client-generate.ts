import '../src/load-env.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { clientSchemaFile, clientSchemaSource, servedOpenApiDocument } from './lib/client-schema.js';

// `npm run client:generate`: regenerates client/schema.d.ts from the OpenAPI document the routes declare.

await writeFile(clientSchemaFile, await clientSchemaSource(servedOpenApiDocument()));
process.stdout.write(`wrote ${path.relative(process.cwd(), clientSchemaFile)}\n`);
// The app's pools and metrics timers are idle but alive; nothing else is left to do.
process.exit(0);
