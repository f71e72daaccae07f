import { isIP } from 'node:net';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

// Logs leave the process (collectors, support tickets), so credentials never reach them. pino's `redact` takes
// out the fields at the places our own code logs them (request headers and bodies); a scrubber catches the same
// fields anywhere else, and inside strings, because provider SDK errors carry their request (our API key, the
// entity-secret ciphertext) as nested objects and serialised JSON that fixed paths cannot reach.
// On-chain addresses tie a person to their money on a public ledger: operators need only enough of one to tell two
// apart, so address fields and addresses inside strings keep their first 6 and last 4 characters.

const CENSOR = '[redacted]';

/** Field names whose values are credentials, in any casing. */
const secretField =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-circle-signature|passcode|currentpasscode|newpasscode|password|api[-_]?key|access[-_]?token|refresh[-_]?token|id[-_]?token|.*secret.*|.*ciphertext.*)$/i;

const redactPaths = ['authorization', 'cookie', 'passcode', 'currentPasscode', 'password', 'secret', 'entitySecretCiphertext'].flatMap(
  (k) => [`req.headers.${k}`, `req.body.${k}`, `body.${k}`, `headers.${k}`],
);

const inStrings: [RegExp, string][] = [
  [/(Bearer\s+)[^\s"',;]+/gi, `$1${CENSOR}`],
  [/\b(TEST|LIVE|SAND)_API_KEY:[\w:.-]+/g, CENSOR],
  [
    /("(?:passcode|currentPasscode|newPasscode|password|apiKey|[A-Za-z]*(?:[Ss]ecret|[Cc]iphertext)[A-Za-z]*)"\s*:\s*)"(?:[^"\\]|\\.)*"/g,
    `$1"${CENSOR}"`,
  ],
];

/** Fields that hold an on-chain address (target_address, destinationAddress, a wallet's address, ...). */
const addressField = /^(?:(?:target|destination|deposit|wallet|source|from|to|recipient|treasury)[-_]?)?address$/i;

/** An EVM address (0x + 40 hex) or a base58 Solana address (32–44 characters), standing alone in a string. */
const inStringAddresses = [
  /(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9A-Za-z])/g,
  /(?<![0-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{32,44}(?![0-9A-Za-z])/g,
];

/** `0x5290…9EE7`: enough to tell addresses apart, not enough to look one up on chain. */
export function shortenAddress(address: string): string {
  return address.length <= 11 ? address : `${address.slice(0, 6)}…${address.slice(-4)}`;
}

function scrubString(value: string): string {
  const scrubbed = inStrings.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), value);
  return inStringAddresses.reduce((text, pattern) => text.replace(pattern, shortenAddress), scrubbed);
}

/** An address field's value, shortened; a network address (`address` of a listening socket) is not on chain. */
function scrubAddressField(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  return typeof value === 'string' && isIP(value) === 0 ? shortenAddress(value.trim()) : scrubSecrets(value, seen, depth);
}

/** A copy of `value` with credential fields censored, credentials inside strings replaced and addresses shortened. */
export function scrubSecrets(value: unknown, seen = new WeakSet<object>(), depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth > 10) return '[…]';
  seen.add(value);
  if (value instanceof Error) return scrubSecrets(pino.stdSerializers.err(value), seen, depth + 1);
  if (Array.isArray(value)) return value.map((item) => scrubSecrets(item, seen, depth + 1));
  if (Buffer.isBuffer(value)) return scrubString(value.toString('utf8'));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = secretField.test(key)
      ? CENSOR
      : addressField.test(key)
        ? scrubAddressField(item, seen, depth + 1)
        : scrubSecrets(item, seen, depth + 1);
  }
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
