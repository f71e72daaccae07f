import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIds } from '../../workflows/definitions.js';
import { createInvestor, startStack, type Stack } from '../helpers/stack.js';
import { provisionWallet } from '../workflows/support.js';

// What Temporal stores when the client and worker carry the encryption codec: ciphertext, as anyone who reads the
// history without the keys (the server's database, a Web UI with no codec server) sees it.

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ name: 'codec', env: { TEMPORAL_PAYLOAD_KEYS: `test-1:${randomBytes(32).toString('base64')}` } });
});
afterAll(async () => stack?.stop());

const targetAddress = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';

/** Every byte string in a history (payload data and metadata, search attributes), as latin1 text, by path. */
function bytesIn(value: unknown, path = '', found: [string, string][] = []): [string, string][] {
  if (value instanceof Uint8Array) found.push([path, Buffer.from(value).toString('latin1')]);
  else if (Array.isArray(value)) value.forEach((item, i) => bytesIn(item, `${path}.${i}`, found));
  else if (value && typeof value === 'object') for (const [k, item] of Object.entries(value)) bytesIn(item, `${path}.${k}`, found);
  return found;
}

describe('encrypted payloads', () => {
  it('a withdrawal started with the codec runs to complete while its history holds only ciphertext', async () => {
    const user = await createInvestor(stack, '9000.00');
    await provisionWallet(stack, user.id);
    const withdrawalId = randomUUID();
    const { result, handle } = await stack.accept('withdrawalWorkflow', workflowIds.withdrawal(withdrawalId), {
      withdrawalId,
      userId: user.id,
      amountUsd: '4817.23',
      targetChain: 'ethereum',
      targetAddress,
    });
    expect(result).toEqual({ accepted: true, id: withdrawalId });
    expect(await handle.result()).toBe('complete');

    // Read back by a client without the codec, as the server and a codec-less Web UI see it.
    const plain = new Client({ connection: stack.client.connection, namespace: stack.config.TEMPORAL_NAMESPACE });
    const history = await plain.workflow.getHandle(handle.workflowId).fetchHistory();
    const started = history.events!.find((e) => e.workflowExecutionStartedEventAttributes)!.workflowExecutionStartedEventAttributes!;
    const input = started.input!.payloads![0]!;
    expect(Buffer.from(input.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(input.metadata!['encryption-key-id']!).toString()).toBe('test-1');

    const stored = bytesIn(history);
    expect(stored.filter(([, bytes]) => bytes.includes('4817.23') || bytes.includes(targetAddress))).toEqual([]);
    // Plain JSON stays only where Temporal or its SDK must read it, and none of it holds money or an address (above):
    // search attributes (indexed by the server: ids and statuses), the SDK's own patch markers (a patch id) and
    // the OpenTelemetry header (`_tracer-data`: a W3C trace context). Every other payload (inputs, results,
    // activity arguments, updates, query answers) is ciphertext.
    const readByTemporal = /searchAttributes|\.patch-data\.|\._tracer-data\./i;
    const plainPayloads = stored.filter(([path, bytes]) => bytes === 'json/plain' && !readByTemporal.test(path));
    expect(plainPayloads).toEqual([]);
    expect(stored.filter(([, bytes]) => bytes === 'binary/encrypted').length).toBeGreaterThan(20);
    await expect(plain.workflow.getHandle(handle.workflowId).result()).rejects.toThrow(/encoding/i);
  });
});
