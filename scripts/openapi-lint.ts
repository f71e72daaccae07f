import '../src/load-env.js';
import { formatFindings, lintOpenApi } from './lib/openapi-lint.js';
import { servedOpenApiDocument } from './lib/client-schema.js';

// `npm run openapi:lint`: Spectral's recommended OpenAPI ruleset on /openapi.json; exits 1 on any error or warning.

const findings = await lintOpenApi(servedOpenApiDocument());
process.stdout.write(findings.length ? `${formatFindings(findings)}\n` : 'spectral:oas (recommended): no findings\n');
process.exit(findings.some((f) => f.severity === 'error' || f.severity === 'warn') ? 1 : 0);
