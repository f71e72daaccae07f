import { constants, generateKeyPairSync, privateDecrypt, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { Request } from 'express';
import type { SandboxProvider } from './faults.js';
import { ProviderHttpError, type ProviderDialect } from './http.js';

// What both Circle APIs share: Bearer API-key auth, the `{code, message}` error body, the `{data: ...}`
// envelope, the entity-secret RSA key pair of Programmable Wallets and the ECDSA key that signs webhooks.

export function circleError(status: number, code: number, message: string): ProviderHttpError {
  return new ProviderHttpError(status, { code, message });
}

export function circleDialect(provider: SandboxProvider, apiKey: string): ProviderDialect {
  return {
    provider,
    authenticate(req: Request) {
      const header = req.get('authorization');
      if (!header?.startsWith('Bearer ')) {
        return circleError(401, 401, 'Malformed authorization. Is the authorization type missing?');
      }
      return header.slice('Bearer '.length) === apiKey ? undefined : circleError(401, 401, 'Invalid credentials.');
    },
    serverError: () => circleError(500, -1, 'Something went wrong.'),
    rejection: () =>
      provider === 'circle-wallets'
        ? circleError(400, 155201, 'Not enough funds to fulfill the withdraw request.')
        : circleError(400, 5, 'The request was rejected.'),
    notFound: (what) => circleError(404, provider === 'circle-wallets' ? 156001 : 404, `Cannot find ${what}.`),
    invalid: (message) => circleError(400, 2, `API parameter invalid: ${message}`),
  };
}

export const data = (body: unknown) => ({ data: body });

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && uuidPattern.test(value);

/**
 * The entity secret check of Programmable Wallets: the ciphertext must be RSA-OAEP(SHA-256) under the served
 * public key, decrypt to the configured secret, and never be presented twice.
 */
export class EntitySecretVault {
  readonly publicKeyPem: string;
  private readonly privateKey: KeyObject;
  private readonly seen = new Set<string>();

  constructor(private readonly entitySecretHex?: string) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.privateKey = privateKey;
  }

  check(ciphertext: unknown): ProviderHttpError | undefined {
    if (typeof ciphertext !== 'string' || ciphertext === '') {
      return circleError(400, 2, 'API parameter invalid: entitySecretCiphertext is required.');
    }
    if (this.seen.has(ciphertext)) {
      return circleError(
        400,
        156004,
        'Reusing an entity secret ciphertext is not allowed. Please re-encrypt the entity secret to generate new ciphertext.',
      );
    }
    let secret: Buffer;
    try {
      secret = privateDecrypt(
        { key: this.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        Buffer.from(ciphertext, 'base64'),
      );
    } catch {
      return circleError(400, 156013, 'The provided entity secret is invalid.');
    }
    if (this.entitySecretHex && secret.toString('hex') !== this.entitySecretHex.toLowerCase()) {
      return circleError(400, 156013, 'The provided entity secret is invalid.');
    }
    this.seen.add(ciphertext);
    return undefined;
  }

  reset(): void {
    this.seen.clear();
  }
}

/** Circle's notification signing key: ECDSA P-256, signature = base64 DER over the raw body. */
export class NotificationSigner {
  readonly keyId = randomUUID();
  readonly publicKeyDerBase64: string;
  private readonly privateKey: KeyObject;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.publicKeyDerBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    this.privateKey = privateKey;
  }

  sign(rawBody: Buffer): string {
    return sign('sha256', rawBody, this.privateKey).toString('base64');
  }
}
