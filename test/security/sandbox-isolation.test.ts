import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInternalServer } from '../../src/api/internal.js';
import { createLogger } from '../../src/logger.js';
import { controlRouter } from '../../src/sandbox/control.js';
import { startApi, testConfig, uniqueSubject, type Api } from '../api/harness.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

// The sandbox's control API moves money in the simulated outside world (sends USDC on chain, wires USD, injects
// faults). It lives only on the sandbox's own port: the API's public port and its internal listener must answer
// every control path with 404, whoever asks. The paths are read from the control router itself, so a control
// route added tomorrow is checked tomorrow.

interface ControlRoute {
  method: string;
  path: string;
}

/** Every route the control router declares (its handlers are never called here, so it gets no dependencies). */
function controlRoutes(): ControlRoute[] {
  const router = controlRouter({} as Parameters<typeof controlRouter>[0]) as unknown as {
    stack: { route?: { path: string; methods: Record<string, boolean> } }[];
  };
  return router.stack.flatMap(({ route }) =>
    route
      ? Object.keys(route.methods).map((method) => ({ method: method.toUpperCase(), path: route.path.replace(/:(\w+)/g, 'x-$1') }))
      : [],
  );
}

let api: Api;
let sandbox: TestSandbox;
let internal: { url: string; close(): Promise<void> };
beforeAll(async () => {
  [api, sandbox] = await Promise.all([startApi({ config: testConfig() }), startTestSandbox()]);
  const server = await startInternalServer({ HTTP_HOST: '127.0.0.1', API_INTERNAL_PORT: 0 }, api, createLogger('silent', 'isolation-test'));
  const { port } = server.address() as { port: number };
  internal = { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
});
afterAll(async () => {
  await internal?.close();
  await Promise.all([api?.close(), sandbox?.stop()]);
});

describe('the sandbox control API', () => {
  it('is what the sandbox serves: its routes are found and answered on the sandbox port', async () => {
    const routes = controlRoutes();
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['GET /sandbox/health', 'POST /sandbox/chain/transfers', 'POST /sandbox/faults', 'POST /sandbox/reset']),
    );
    expect(routes.every((r) => r.path.startsWith('/sandbox/'))).toBe(true);
    expect((await fetch(`${sandbox.url}/sandbox/health`)).status).toBe(200);
    expect((await fetch(`${sandbox.url}/sandbox/faults`)).status).toBe(200);
  });

  it('answers 404 on every control path on the API port, with or without a token, and on the internal listener', async () => {
    const subject = uniqueSubject('isolation');
    const operatorToken = await api.token(subject, { operator: true });
    const failures: string[] = [];
    for (const { method, path } of controlRoutes()) {
      const body = method === 'GET' || method === 'HEAD' ? undefined : JSON.stringify({ chain: 'ethereum', toAddress: '0x0', amount: '1' });
      const headers = { 'content-type': 'application/json' };
      for (const [where, url] of [
        ['api', `${api.url}${path}`],
        ['internal', `${internal.url}${path}`],
      ] as const) {
        const anonymous = await fetch(url, { method, headers, body });
        if (anonymous.status !== 404) failures.push(`${where} ${method} ${path}: ${anonymous.status}`);
      }
      const asOperator = await fetch(`${api.url}${path}`, {
        method,
        headers: { ...headers, authorization: `Bearer ${operatorToken}` },
        body,
      });
      if (asOperator.status !== 404) failures.push(`api ${method} ${path} as an operator: ${asOperator.status}`);
    }
    expect(failures).toEqual([]);
  });
});
