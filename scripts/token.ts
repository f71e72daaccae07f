import '../src/load-env.js';
import { parseArgs } from 'node:util';
import { signDevToken } from '../src/api/dev-token.js';
import { loadConfigOrExit } from '../src/config.js';

// `npm run token -- <sub> [--operator] [--expires 12h]`: a development JWT for the API (sub = auth_provider_id).
// Its lifetime is capped by AUTH_MAX_TOKEN_AGE_SECONDS on the API side, whatever --expires says.

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { operator: { type: 'boolean', default: false }, expires: { type: 'string', default: '12h' } },
});
const subject = positionals[0];
if (!subject) {
  process.stderr.write('usage: npm run token -- <sub> [--operator] [--expires 12h]\n');
  process.exit(2);
}
process.stdout.write((await signDevToken(loadConfigOrExit(), { subject, operator: values.operator, expiresIn: values.expires })) + '\n');
