import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

// Logs leave the process (collectors, support tickets), so credentials never reach them. pino's `redact` takes
// out the fields at the places our own code logs them (request headers and bodies); a scrubber catches the same
// fields anywhere else, and inside strings, because provider SDK errors carry their request (our API key, the
// entity-secret ciphertext) as nested objects and serialised JSON that fixed paths cannot reach.

const CENSOR = '[redacted]';

/** Field names whose values are credentials, in any casing. */
const secretField =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-circle-signature|passcode|currentpasscode|newpasscode|password|api[-_]?key|access[-_]?token|refresh[-_]?token|id[-_]?token|.*secret.*|.*ciphertext.*)$/i;

const redactPaths = ['authorization', 'cookie', 'passcode', 'currentPasscode', 'password', 'secret', 'entitySecretCiphertext'].flatMap((k) => [
  `req.headers.${k}`,
  `req.body.${k}`,
  `body.${k}`,
  `headers.${k}`,
]);

const inStrings: [RegExp, string][] = [
  [/(Bearer\s+)[^\s"',;]+/gi, `$1${CENSOR}`],
  [/\b(TEST|LIVE|SAND)_API_KEY:[\w:.-]+/g, CENSOR],
  [/("(?:passcode|currentPasscode|newPasscode|password|apiKey|[A-Za-z]*(?:[Ss]ecret|[Cc]iphertext)[A-Za-z]*)"\s*:\s*)"(?:[^"\\]|\\.)*"/g, `$1"${CENSOR}"`],
];

function scrubString(value: string): string {
  return inStrings.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), value);
}

/** A copy of `value` with credential fields censored and credentials inside strings replaced. */
export function scrubSecrets(value: unknown, seen = new WeakSet<object>(), depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth > 10) return '[…]';
  seen.add(value);
  if (value instanceof Error) return scrubSecrets(pino.stdSerializers.err(value), seen, depth + 1);
  if (Array.isArray(value)) return value.map((item) => scrubSecrets(item, seen, depth + 1));
  if (Buffer.isBuffer(value)) return scrubString(value.toString('utf8'));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = secretField.test(key) ? CENSOR : scrubSecrets(item, seen, depth + 1);
  return copy;
}

/** The one logger: JSON lines on stdout (or `destination`), one child per process role and per request/workflow. */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      name,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: CENSOR },
      serializers: { err: (error: unknown) => scrubSecrets(error) },
      formatters: { log: (object) => scrubSecrets(object) as Record<string, unknown> },
      hooks: {
        // Messages are strings the formatters never see; an Error logged alone becomes the message too.
        logMethod(args, method) {
          const scrubbed = args.map((arg: unknown) => (typeof arg === 'string' ? scrubString(arg) : arg)) as typeof args;
          const [first, second] = scrubbed;
          if (first instanceof Error && typeof second !== 'string') (scrubbed as unknown[]).splice(1, 0, scrubString(first.message));
          return method.apply(this, scrubbed);
        },
      },
    },
    destination,
  );
}
