import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

// Logs leave the process (collectors, support tickets): no token, cookie, passcode or secret may be in them,
// whether it comes as a request's headers or body, or inside an error a provider SDK threw (whose request
// config carries our API key and the entity-secret ciphertext).

const SECRETS = {
  bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFrIn0.c2lnbmF0dXJl',
  cookie: 'session=cookie-value-that-must-not-leak',
  passcode: '482913',
  currentPasscode: '135790',
  apiKey: 'TEST_API_KEY:live-key-that-must-not-leak',
  entitySecretCiphertext: 'Y2lwaGVydGV4dC10aGF0LW11c3Qtbm90LWxlYWs=',
  clientSecret: 'client-secret-that-must-not-leak',
};

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', 'redaction-test', stream), output: () => lines.join('') };
}

describe('log redaction', () => {
  it('keeps authorization headers, cookies, passcodes and secrets out of a logged request', () => {
    const { logger, output } = capture();
    logger.info({
      req: {
        method: 'POST',
        url: '/v1/withdrawals',
        headers: { authorization: `Bearer ${SECRETS.bearer}`, cookie: SECRETS.cookie, 'x-request-id': 'r-1' },
        body: { amountUsd: '10.00', passcode: SECRETS.passcode, currentPasscode: SECRETS.currentPasscode },
      },
    }, 'request');
    logger.warn({ body: { passcode: SECRETS.passcode, nested: { clientSecret: SECRETS.clientSecret } } }, 'bad body');
    const text = output();
    for (const [name, value] of Object.entries(SECRETS).filter(([n]) => n !== 'apiKey' && n !== 'entitySecretCiphertext')) {
      expect(text, name).not.toContain(value);
    }
    expect(text).toContain('/v1/withdrawals'); // the line is still useful
    expect(text).toContain('"amountUsd":"10.00"');
    expect(text).toContain('[redacted]');
  });

  it('keeps the API key and the entity-secret ciphertext out of a logged provider error', () => {
    const { logger, output } = capture();
    const error = Object.assign(new Error('Request failed with status code 400'), {
      config: {
        headers: { Authorization: `Bearer ${SECRETS.apiKey}`, 'Content-Type': 'application/json' },
        data: JSON.stringify({ idempotencyKey: 'k-1', entitySecretCiphertext: SECRETS.entitySecretCiphertext, amounts: ['1.00'] }),
      },
      response: { status: 400, data: { message: 'bad', entitySecretCiphertext: SECRETS.entitySecretCiphertext } },
    });
    logger.error({ err: error }, 'circle call failed');
    logger.error({ err: new Error(`upstream said: Authorization: Bearer ${SECRETS.bearer}`) }, 'failed');
    logger.error(new Error(`thrown with Bearer ${SECRETS.bearer} in its message`)); // pino makes it the msg
    logger.warn(`a message with Bearer ${SECRETS.bearer} in it`);
    const text = output();
    expect(text).not.toContain(SECRETS.apiKey);
    expect(text).not.toContain(SECRETS.entitySecretCiphertext);
    expect(text).not.toContain(SECRETS.bearer);
    expect(text).toContain('Request failed with status code 400');
    expect(text).toContain('idempotencyKey');
  });
});
