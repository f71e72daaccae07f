import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../src/api/dev-token.js';
import { startCodecServer } from '../../src/codec/server.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { dataConverterOf } from '../../src/temporal.js';

// The codec server as the Web UI and the CLI call it (Temporal's remote codec protocol: proto3 JSON, base64 bytes).

const uiOrigin = 'https://ui.fundflow.example';
const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  AUTH_JWT_SECRET: 'codec-test-secret-0123456789abcdef0123',
  AUTH_AUDIENCE: 'fundflow-api',
  AUTH_OPERATOR_AUDIENCE: 'fundflow-operators',
  TEMPORAL_PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  CODEC_SERVER_CORS_ORIGINS: `${uiOrigin},http://127.0.0.1:8233`,
});
const codec = dataConverterOf(config)!.payloadCodecs![0]!;

let server: Server;
let url: string;
beforeAll(async () => {
  server = await startCodecServer({ config, logger: createLogger('silent', 'codec-test'), port: 0 });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => server?.close(() => resolve())));

const json = (payload: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});
const secret = { amountUsd: '4817.23', targetAddress: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' };
const encryptedBody = async () => ({ payloads: (await codec.encode([defaultPayloadConverter.toPayload(secret)])).map(json) });

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: uiOrigin, ...headers },
    body: JSON.stringify(body),
  });
}
const bearer = async (subject: string, operator: boolean) => ({
  authorization: `Bearer ${await signDevToken(config, { subject, operator })}`,
});

describe('the codec server', () => {
  it('refuses to decode without a token (401) and for a customer token (403)', async () => {
    const body = await encryptedBody();
    const anonymous = await post('/decode', body);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await anonymous.text()).not.toContain('4817.23');

    const forged = await post('/decode', body, { authorization: 'Bearer not.a.jwt' });
    expect(forged.status).toBe(401);

    const customer = await post('/decode', body, await bearer('alice', false));
    expect(customer.status).toBe(403);
    expect(await customer.text()).not.toContain('4817.23');
  });

  it("decodes for an operator, in the protocol's proto3 JSON, with CORS for the UI origin", async () => {
    const response = await post('/default/decode', await encryptedBody(), await bearer('ops', true));
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    const { payloads } = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString())).toEqual(secret);
  });

  it('encodes for an operator what its own codec then decodes, and passes plain payloads through decode', async () => {
    const plain = json(defaultPayloadConverter.toPayload(secret));
    const encoded = await post('/encode', { payloads: [plain] }, await bearer('ops', true));
    expect(encoded.status).toBe(200);
    const { payloads } = (await encoded.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    const [decoded] = await codec.decode([
      {
        metadata: {
          encoding: Buffer.from(payloads[0]!.metadata.encoding!, 'base64'),
          'encryption-key-id': Buffer.from(payloads[0]!.metadata['encryption-key-id']!, 'base64'),
        },
        data: Buffer.from(payloads[0]!.data, 'base64'),
      },
    ]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(secret);

    const passed = await post('/decode', { payloads: [plain] }, await bearer('ops', true));
    expect(await passed.json()).toEqual({ payloads: [plain] });
  });

  it('answers a tampered payload with a problem, not with garbage, and refuses another namespace', async () => {
    const body = await encryptedBody();
    const data = Buffer.from(body.payloads[0]!.data, 'base64');
    data[20]! ^= 1;
    body.payloads[0]!.data = data.toString('base64');
    const tampered = await post('/decode', body, await bearer('ops', true));
    expect(tampered.status).toBe(422);

    const other = await post('/decode', await encryptedBody(), { ...(await bearer('ops', true)), 'x-namespace': 'someone-else' });
    expect(other.status).toBe(403);
  });

  it('answers the Temporal CLI as it asks: an empty list as `{}` (proto3 JSON) and an empty X-Namespace', async () => {
    // `temporal workflow query --codec-endpoint …` encodes its (no) arguments as `{}` and, without --namespace,
    // sends `X-Namespace: ` empty.
    const empty = await post('/encode', {}, { ...(await bearer('ops', true)), 'x-namespace': '' });
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ payloads: [] });
    const decoded = await post('/decode', await encryptedBody(), { ...(await bearer('ops', true)), 'x-namespace': '' });
    expect(decoded.status).toBe(200);
  });

  it('signs an operator in with a cookie the UI sends back (no access token to pass), and not a customer', async () => {
    const login = async (token: string) =>
      fetch(`${url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${token}`,
        redirect: 'manual',
      });
    expect((await login((await bearer('alice', false)).authorization.slice(7))).status).toBe(403);
    const signedIn = await login((await bearer('ops', true)).authorization.slice(7));
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const decoded = await post('/decode', await encryptedBody(), { cookie: cookie.split(';')[0]! });
    expect(decoded.status).toBe(200);
  });

  it('answers the CORS preflight for a configured UI origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${url}/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-namespace',
        },
      });
    const allowed = await preflight(uiOrigin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(
      /authorization.*content-type.*x-namespace|x-namespace/,
    );
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');

    const foreign = await preflight('https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.status).toBe(403);
  });
});
