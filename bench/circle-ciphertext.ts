import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { initiateDeveloperControlledWalletsClient } from '@circle-fin/developer-controlled-wallets';
import { table } from '../scripts/lib/stats.js';

// What one call through Circle's official wallets SDK costs our process, with and without the entity secret
// ciphertext. Circle refuses a ciphertext it has seen before (error 156004), so the SDK encrypts the entity secret
// anew for every request that moves money or creates a wallet: RSA-OAEP with node-forge, in JavaScript. Measured
// against a local server that answers at once (in this process too, so its small share is in every row alike):
//
//   npx tsx bench/circle-ciphertext.ts

const calls = Number(process.env.BENCH_CIPHERTEXT_CALLS ?? 300);

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.setHeader('content-type', 'application/json').end('{"data":{}}'));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function cpuMsPerCall(call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 30; i++) await call(); // warm-up: the JIT, the keep-alive connection
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) await call();
  const spent = process.cpuUsage(before);
  return (spent.user + spent.system) / 1000 / calls;
}

const rows: string[][] = [];
for (const modulusLength of [2048, 4096]) {
  const publicKey = generateKeyPairSync('rsa', { modulusLength }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const client = initiateDeveloperControlledWalletsClient({
    apiKey: 'TEST_API_KEY:bench:bench',
    entitySecret: 'ab'.repeat(32),
    baseUrl,
    // The entity public key as the SDK keeps it after its first fetch.
    storage: { get: async () => publicKey, set: async () => {} },
  });
  const read = await cpuMsPerCall(() => client.getWalletSet({ id: 'bench' }));
  const write = await cpuMsPerCall(() => client.createWalletSet({ name: 'bench', idempotencyKey: crypto.randomUUID() }));
  rows.push([`${modulusLength}-bit`, read.toFixed(2), write.toFixed(2), (write - read).toFixed(2)]);
}
server.close();
console.log(`\nCPU per call, ${calls} calls each (ms)\n`);
console.log(table(['entity public key', 'a read (getWalletSet)', 'a write (createWalletSet)', 'the ciphertext'], rows));
