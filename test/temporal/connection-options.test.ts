import { Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { temporalClient, temporalConnectionOptions } from '../../src/temporal.js';

// The connection options every process builds from its configuration (src/temporal.ts): what reaches the SDK for a
// local dev server, Temporal Cloud with an API key, a self-hosted cluster with mutual TLS, and what refuses to start.
// test/temporal/tls.test.ts proves the same options through a real TLS handshake.

const pem = (kind: string, body: string) => `-----BEGIN ${kind}-----\n${body}\n-----END ${kind}-----\n`;
const ca = pem('CERTIFICATE', 'Y2EtY2VydA==');
const cert = pem('CERTIFICATE', 'Y2xpZW50LWNlcnQ=');
const key = pem('PRIVATE KEY', 'Y2xpZW50LWtleQ==');
const files: Record<string, string> = {
  '/etc/fundflow/temporal/ca.crt': ca,
  '/etc/fundflow/temporal/tls.crt': cert,
  '/etc/fundflow/temporal/tls.key': key,
};
const readFile = (path: string) => {
  if (!(path in files)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return files[path]!;
};
const optionsOf = (env: Record<string, string>) => temporalConnectionOptions(loadConfig(env), readFile);

/** The one-line reason loadConfig or the options builder refuses `env` with. */
function refusal(env: Record<string, string>): string {
  try {
    optionsOf(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('Temporal connection options', () => {
  it('connect to the local dev server in plain gRPC with no credentials by default', () => {
    expect(optionsOf({})).toEqual({ address: '127.0.0.1:7233', tls: undefined, apiKey: undefined });
  });

  it("turn TLS on with the system roots for Temporal Cloud's API key, even with TEMPORAL_TLS unset", () => {
    const options = optionsOf({ TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_API_KEY: 'cloud-api-key' });
    expect(options).toEqual({ address: 'us-east-1.aws.api.temporal.io:7233', tls: {}, apiKey: 'cloud-api-key' });
  });

  it('turn TLS on with TEMPORAL_TLS=true alone, and keep it off with TEMPORAL_TLS=false', () => {
    expect(optionsOf({ TEMPORAL_TLS: 'true' }).tls).toEqual({});
    expect(optionsOf({ TEMPORAL_TLS: 'false' }).tls).toBeUndefined();
    expect(optionsOf({ TEMPORAL_TLS: '' }).tls).toBeUndefined();
  });

  it('build mutual TLS from files: the server CA, the client certificate pair and the server name', () => {
    const options = optionsOf({
      TEMPORAL_ADDRESS: '10.0.3.7:7233',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/etc/fundflow/temporal/ca.crt',
      TEMPORAL_TLS_CLIENT_CERT_PATH: '/etc/fundflow/temporal/tls.crt',
      TEMPORAL_TLS_CLIENT_KEY_PATH: '/etc/fundflow/temporal/tls.key',
      TEMPORAL_TLS_SERVER_NAME: 'temporal-frontend.temporal.svc',
    });
    expect(options.address).toBe('10.0.3.7:7233');
    expect(options.apiKey).toBeUndefined();
    expect(Buffer.from(options.tls!.serverRootCACertificate!).toString()).toBe(ca);
    expect(Buffer.from(options.tls!.clientCertPair!.crt).toString()).toBe(cert);
    expect(Buffer.from(options.tls!.clientCertPair!.key).toString()).toBe(key);
    expect(options.tls!.serverNameOverride).toBe('temporal-frontend.temporal.svc');
  });

  it('build mutual TLS from PEM in the environment, with real newlines or one-line `\\n` escapes', () => {
    const options = optionsOf({
      TEMPORAL_TLS_CLIENT_CERT_DATA: cert,
      TEMPORAL_TLS_CLIENT_KEY_DATA: key.replace(/\n/g, '\\n'),
    });
    expect(options.tls!.serverRootCACertificate).toBeUndefined();
    expect(Buffer.from(options.tls!.clientCertPair!.crt).toString()).toBe(cert);
    expect(Buffer.from(options.tls!.clientCertPair!.key).toString()).toBe(key);
  });

  it('pass the API key beside a client certificate (Temporal Cloud accepts either)', () => {
    const options = optionsOf({
      TEMPORAL_API_KEY: 'cloud-api-key',
      TEMPORAL_TLS_CLIENT_CERT_DATA: cert,
      TEMPORAL_TLS_CLIENT_KEY_DATA: key,
    });
    expect(options.apiKey).toBe('cloud-api-key');
    expect(options.tls!.clientCertPair).toBeDefined();
  });

  it('refuse a client certificate without its key, and a key without its certificate', () => {
    expect(refusal({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/etc/fundflow/temporal/tls.crt' })).toMatch(
      /TEMPORAL_TLS_CLIENT_KEY_PATH: or TEMPORAL_TLS_CLIENT_KEY_DATA is required with a client certificate/,
    );
    expect(refusal({ TEMPORAL_TLS_CLIENT_KEY_DATA: key })).toMatch(
      /TEMPORAL_TLS_CLIENT_CERT_PATH: or TEMPORAL_TLS_CLIENT_CERT_DATA is required with a client key/,
    );
  });

  it('refuse a file and a PEM for the same thing', () => {
    expect(refusal({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/etc/fundflow/temporal/ca.crt', TEMPORAL_TLS_SERVER_CA_CERT_DATA: ca })).toMatch(
      /TEMPORAL_TLS_SERVER_CA_CERT_DATA: set TEMPORAL_TLS_SERVER_CA_CERT_PATH \(a file\) or TEMPORAL_TLS_SERVER_CA_CERT_DATA \(the PEM\), not both/,
    );
  });

  it('refuse TEMPORAL_TLS=false with an API key or a certificate: they are sent over TLS only', () => {
    expect(refusal({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'cloud-api-key' })).toMatch(
      /TEMPORAL_TLS: is false but TEMPORAL_API_KEY is set/,
    );
    expect(refusal({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_CA_CERT_DATA: ca })).toMatch(
      /TEMPORAL_TLS: is false but TEMPORAL_TLS_SERVER_CA_CERT_DATA is set/,
    );
  });

  it('refuse what is not PEM, naming the variable: a path pasted into _DATA, a certificate given as the key', () => {
    expect(refusal({ TEMPORAL_TLS_SERVER_CA_CERT_DATA: '/etc/fundflow/temporal/ca.crt' })).toMatch(
      /TEMPORAL_TLS_SERVER_CA_CERT_DATA: is not a PEM certificate/,
    );
    expect(refusal({ TEMPORAL_TLS_CLIENT_CERT_DATA: cert, TEMPORAL_TLS_CLIENT_KEY_PATH: '/etc/fundflow/temporal/tls.crt' })).toMatch(
      /TEMPORAL_TLS_CLIENT_KEY_PATH: \/etc\/fundflow\/temporal\/tls.crt is not a PEM private key/,
    );
  });

  it('refuse a file it cannot read, naming the variable and the path', () => {
    expect(refusal({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/etc/fundflow/temporal/missing.crt' })).toBe(
      'invalid configuration: TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read /etc/fundflow/temporal/missing.crt (ENOENT)',
    );
  });

  it('use TEMPORAL_NAMESPACE for the client, and refuse an empty one', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    try {
      expect(temporalClient(loadConfig({ TEMPORAL_NAMESPACE: 'fundflow-prod.a1b2c' }), connection).options.namespace).toBe(
        'fundflow-prod.a1b2c',
      );
    } finally {
      await connection.close();
    }
    expect(() => loadConfig({ TEMPORAL_NAMESPACE: '' })).toThrowError(/TEMPORAL_NAMESPACE/);
  });
});
