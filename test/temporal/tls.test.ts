import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { temporalConnectionOptions } from '../../src/temporal.js';
import { kycDecisionSignal, workflowIds } from '../../workflows/definitions.js';
import { createUser, startStack, type Stack } from '../helpers/stack.js';

// A real mutual-TLS handshake on this machine: the dev server speaks plain gRPC, so a Node TLS server that demands a
// client certificate signed by this test's CA (made with openssl) terminates TLS in front of it and passes the bytes
// on (ALPN h2, as a TLS-terminating load balancer does). The API's Client and the worker's NativeConnection are built
// by src/temporal.ts from TEMPORAL_TLS_* alone, and a whole saga runs through the pipe; without a certificate, or
// checking the server's name against the address instead of TEMPORAL_TLS_SERVER_NAME, the connection is refused.

const serverName = 'temporal.fundflow.test';
const dir = mkdtempSync(path.join(os.tmpdir(), 'fundflow-tls-'));
const file = (name: string) => path.join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** A CA, the frontend's certificate (for serverName only, not 127.0.0.1) and a worker's client certificate. */
function makeCertificates(): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    '1',
    '-subj',
    '/CN=fundflow test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const leaf = (name: string, subject: string, extensions: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('req', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', subject);
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file(`${name}.crt`),
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
    );
  };
  const endEntity = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n';
  leaf('server', `/CN=${serverName}`, `${endEntity}extendedKeyUsage=serverAuth\nsubjectAltName=DNS:${serverName}\n`);
  leaf('client', '/CN=fundflow-worker', `${endEntity}extendedKeyUsage=clientAuth\n`);
}

interface TlsPipe {
  address: string;
  /** Connections whose client certificate the pipe accepted, and handshakes it refused (with the reason). */
  accepted: number;
  refused: string[];
  close(): Promise<void>;
}

/** A TLS-terminating byte pipe in front of `upstream` that requires a client certificate signed by the CA. */
async function startTlsPipe(upstream: string): Promise<TlsPipe> {
  const [host, port] = upstream.split(':') as [string, string];
  const sockets = new Set<net.Socket>();
  const pipe: TlsPipe = { address: '', accepted: 0, refused: [], close: async () => {} };
  const server = tls.createServer(
    {
      key: readFileSync(file('server.key')),
      cert: readFileSync(file('server.crt')),
      ca: readFileSync(file('ca.crt')),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      pipe.accepted += 1;
      const backend = net.connect(Number(port), host);
      for (const s of [socket, backend]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => (socket.destroy(), backend.destroy()));
      }
      socket.pipe(backend).pipe(socket);
    },
  );
  server.on('tlsClientError', (error) => pipe.refused.push(error.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pipe.address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  pipe.close = () => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return pipe;
}

let pipe: TlsPipe;
let stack: Stack;
let mtlsEnv: Record<string, string>;

beforeAll(async () => {
  makeCertificates();
  pipe = await startTlsPipe(inject('temporalAddress'));
  mtlsEnv = {
    TEMPORAL_ADDRESS: pipe.address,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('ca.crt'),
    TEMPORAL_TLS_CLIENT_CERT_PATH: file('client.crt'),
    TEMPORAL_TLS_CLIENT_KEY_DATA: readFileSync(file('client.key'), 'utf8'),
    TEMPORAL_TLS_SERVER_NAME: serverName,
  };
  stack = await startStack({ name: 'mtls', env: mtlsEnv });
});
afterAll(async () => {
  await stack?.stop();
  await pipe?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the options built for `env` do when they meet the pipe: 'connected', or the SDK's error message. */
async function tryConnect(kind: 'client' | 'worker', env: Record<string, string>): Promise<string> {
  const options = temporalConnectionOptions(loadConfig(env));
  try {
    if (kind === 'client') {
      const connection = await Connection.connect({ ...options, connectTimeout: 3000 });
      await connection.close();
    } else {
      const connection = await NativeConnection.connect(options);
      await connection.close();
    }
    return 'connected';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('Temporal over mutual TLS', () => {
  it("runs a KYC saga end to end with the API's Client and the worker's NativeConnection both through the TLS pipe", async () => {
    expect(stack.config.TEMPORAL_ADDRESS).toBe(pipe.address);
    const user = await createUser(stack.db, { kycStatus: 'not_started', balance: false });
    const { result, handle } = await stack.accept('kycWorkflow', workflowIds.kyc(user.id), { userId: user.id });
    expect(result).toEqual({ accepted: true, id: user.id });
    await handle.signal(kycDecisionSignal, { decision: 'approved' });
    expect(await handle.result()).toBe('approved');
    expect((await stack.db.user.findUniqueOrThrow({ where: { id: user.id } })).kycStatus).toBe('approved');

    const systemInfo = await stack.client.workflowService.getSystemInfo({});
    expect(systemInfo.capabilities).toBeDefined();
    // The Client and the worker's NativeConnection each came through with the client certificate.
    expect(pipe.accepted).toBeGreaterThanOrEqual(2);
  });

  it('connects a fresh Client and NativeConnection from the same environment, as a script or a second process would', async () => {
    expect(await tryConnect('client', mtlsEnv)).toBe('connected');
    expect(await tryConnect('worker', mtlsEnv)).toBe('connected');
  });

  it('refuses a client and a worker that trust the CA but present no certificate', async () => {
    const { TEMPORAL_TLS_CLIENT_CERT_PATH: _c, TEMPORAL_TLS_CLIENT_KEY_DATA: _k, ...withoutCertificate } = mtlsEnv;
    const refusedBefore = pipe.refused.length;
    const acceptedBefore = pipe.accepted;
    expect(await tryConnect('client', withoutCertificate)).not.toBe('connected');
    // TLS 1.3: the client hears of the refusal after its own handshake ends, as an alert or a closed connection;
    // the pipe's side says why.
    expect(await tryConnect('worker', withoutCertificate)).not.toBe('connected');
    expect(pipe.accepted).toBe(acceptedBefore);
    expect(pipe.refused.slice(refusedBefore).join('; ')).toMatch(/peer did not return a certificate/);
  });

  it('refuses a server whose certificate does not name the address, unless TEMPORAL_TLS_SERVER_NAME says which name to expect', async () => {
    const { TEMPORAL_TLS_SERVER_NAME: _n, ...withoutServerName } = mtlsEnv;
    const acceptedBefore = pipe.accepted;
    expect(await tryConnect('client', withoutServerName)).not.toBe('connected');
    expect(await tryConnect('worker', withoutServerName)).toMatch(/NotValidForName.*temporal\.fundflow\.test/);
    expect(pipe.accepted).toBe(acceptedBefore);
  });

  it('refuses a server whose certificate a CA other than TEMPORAL_TLS_SERVER_CA_CERT signed (here: the system roots)', async () => {
    const { TEMPORAL_TLS_SERVER_CA_CERT_PATH: _ca, ...withSystemRoots } = mtlsEnv;
    expect(await tryConnect('client', withSystemRoots)).not.toBe('connected');
    expect(await tryConnect('worker', withSystemRoots)).toMatch(/UnknownIssuer/);
  });
});
