import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../src/tracing.js';
import { startApi, type Api } from '../api/harness.js';
import { eventually } from '../helpers/eventually.js';
import { createUser, startStack, type Stack } from '../helpers/stack.js';
import { provisionWallet } from '../workflows/support.js';

// One deposit, one trace: the app's request, the Temporal client call it makes, the workflow run, its activities,
// their provider calls and their PostgreSQL queries all carry the request's trace id, exported here to memory
// instead of OTLP. The request id the API answers (and logs) is that trace id.

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let stack: Stack;
let api: Api;

beforeAll(async () => {
  tracing = startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: undefined }, 'fundflow-test', new SimpleSpanProcessor(exporter));
  stack = await startStack({ name: 'tracing', tracing });
  api = await startApi({ stack, deps: { tracing } });
});

afterAll(async () => {
  await api?.close();
  await stack?.stop();
  await tracing?.shutdown();
});

describe('a deposit', () => {
  it('is one trace from the API request through the workflow and its activities to the providers and PostgreSQL', async () => {
    const user = await createUser(stack.db);
    const wallet = await provisionWallet(stack, user.id);
    const transfer = await stack.sandbox.control.chainTransfer({ chain: 'ethereum', toAddress: wallet.address, amount: '12.5' });
    const txHash = transfer.txHash.toLowerCase();
    exporter.reset();

    const reply = await api.request('POST', '/v1/deposits', { as: user.authProviderId, body: { chain: 'ethereum', txHash } });
    expect(reply.status).toBe(202);
    await eventually(
      () => stack.db.deposit.findUniqueOrThrow({ where: { id: reply.body.id } }),
      (d) => d.status === 'broker_funded',
    );

    const request = exporter.getFinishedSpans().find((s) => s.name === 'POST /v1/deposits');
    expect(request, 'the API request has a span').toBeDefined();
    const traceId = request!.spanContext().traceId;
    expect(reply.headers.get('x-request-id')).toBe(traceId);

    const inTrace = (match: (s: ReadableSpan) => boolean) =>
      eventually(
        async () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId && match(s)),
        (found) => found.length > 0,
      );
    await inTrace((s) => s.name === 'UpdateWithStartWorkflow:accept'); // the API's update-with-start
    await inTrace((s) => s.name === 'RunWorkflow:depositWorkflow');
    await inTrace((s) => s.name === 'RunActivity:acceptDeposit');
    const providerCalls = await inTrace((s) => s.attributes['fundflow.provider.port'] !== undefined);
    expect(new Set(providerCalls.map((s) => s.name))).toContain('rails.startOffRamp');
    await inTrace((s) => s.name.startsWith('prisma:'));
    // The saga's statements go past Prisma's client (src/db/raw.ts) and are in the trace all the same.
    const statements = await inTrace((s) => s.name === 'pg:query');
    expect(statements.map((s) => String(s.attributes['db.query.text']))).toContainEqual(expect.stringContaining('UPDATE balances'));
  });
});
