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
    logger.info(
      {
        req: {
          method: 'POST',
          url: '/v1/withdrawals',
          headers: { authorization: `Bearer ${SECRETS.bearer}`, cookie: SECRETS.cookie, 'x-request-id': 'r-1' },
          body: { amountUsd: '10.00', passcode: SECRETS.passcode, currentPasscode: SECRETS.currentPasscode },
        },
      },
      'request',
    );
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

// On-chain addresses tie a person to their money on a public ledger; operators need only enough of one to tell
// two apart (first 6 + last 4 characters), so logs keep that much and no more, wherever the address appears.
const ADDRESSES = {
  ethereum: '0x52908400098527886E0F7030069857D2E4169EE7',
  solana: '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV',
  invalidButTargeted: '0xdeadbeefdeadbeefdeadbeef',
};

describe('log redaction of on-chain addresses', () => {
  it('shortens address fields to first 6 + last 4 characters, at any depth and in any casing of the name', () => {
    const { logger, output } = capture();
    logger.info({ withdrawalId: 'w-1', targetAddress: ADDRESSES.ethereum, amountUsd: '10.00' }, 'withdrawal accepted');
    logger.info({ row: { target_address: ADDRESSES.solana, destinationAddress: ADDRESSES.ethereum } }, 'row');
    logger.info({ wallet: { address: ADDRESSES.solana, chain: 'solana' } }, 'wallet');
    logger.warn({ body: { targetAddress: ADDRESSES.invalidButTargeted } }, 'refused');
    const text = output();
    for (const [name, value] of Object.entries(ADDRESSES)) expect(text, name).not.toContain(value);
    expect(text).toContain('"targetAddress":"0x5290…9EE7"');
    expect(text).toContain('"target_address":"7EcDhS…FLtV"');
    expect(text).toContain('"destinationAddress":"0x5290…9EE7"');
    expect(text).toContain('"address":"7EcDhS…FLtV"');
    expect(text).toContain('"targetAddress":"0xdead…beef"');
    expect(text).toContain('"amountUsd":"10.00"'); // the rest of the line is untouched
    expect(text).toContain('"chain":"solana"');
  });

  it('shortens 0x…40-hex and base58 addresses inside messages, errors and other strings, and leaves the rest', () => {
    const { logger, output } = capture();
    const txHash = `0x${'ab'.repeat(32)}`;
    const requestId = '3f2c1d9e-5b7a-4c1e-9f0a-2b6d8e4c7a11';
    logger.info(`sending 10.00 USDC to ${ADDRESSES.ethereum} on ethereum (tx ${txHash})`);
    logger.info({ reason: `no wallet for ${ADDRESSES.solana}`, requestId }, 'lookup');
    logger.error({ err: new Error(`transfer to ${ADDRESSES.solana} failed`) }, 'transfer failed');
    logger.warn({ detail: [`to:${ADDRESSES.ethereum.toLowerCase()}`] }, 'list');
    const text = output();
    expect(text).not.toContain(ADDRESSES.ethereum);
    expect(text).not.toContain(ADDRESSES.ethereum.toLowerCase());
    expect(text).not.toContain(ADDRESSES.solana);
    expect(text).toContain('to 0x5290…9EE7 on ethereum');
    expect(text).toContain('no wallet for 7EcDhS…FLtV');
    expect(text).toContain('transfer to 7EcDhS…FLtV failed');
    // What operators need stays whole: transaction hashes, request ids, amounts.
    expect(text).toContain(txHash);
    expect(text).toContain(requestId);
    expect(text).toContain('10.00 USDC');
  });
});
