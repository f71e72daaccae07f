import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { table } from '../scripts/lib/stats.js';

// Where a process's CPU went, from the V8 profiles CPU_PROFILE_DIR makes (`npm run bench`, one folder per child):
// every sample is charged to the innermost frame that belongs to a known library or to fundflow's code, so the
// time a socket read spends in Node's HTTP parser counts as the HTTP client's, and AES-GCM called by the payload
// codec as the codec's. Usage:
//
//   npx tsx bench/profile-summary.ts /tmp/prof/worker [--runs 800]
//
// With --runs, each column is also shown as milliseconds per run (e.g. the baseline and saga runs of the phase
// profiled: a category only the saga touches is then its cost per saga, the profiler's overhead included).

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Categories, most specific first; a frame's URL (or, for V8's own entries, its function name) decides. */
const categories: readonly [name: string, pattern: RegExp][] = [
  ['(idle)', /^\(idle\)$/],
  ['garbage collection', /^\(garbage collector\)$/],
  ['Circle SDKs (with node-forge, their RSA)', /node_modules\/@circle-fin\//],
  ['Alpaca SDK', /node_modules\/@alpacahq\//],
  ['axios (the SDKs\u2019 HTTP client)', /node_modules\/(axios|follow-redirects|form-data|proxy-from-env|combined-stream)\//],
  ['fetch (undici: Alpaca journals, OpenAI)', /undici/],
  ['node:http client (under axios)', /^node:_http_(client|agent)$/],
  ['node:http server', /^node:_http_server$/],
  ['node:http messages and parser (either side)', /^node:_http_(common|incoming|outgoing)$/],
  ['Prisma client', /node_modules\/(@prisma|\.prisma)\/|src\/generated\/prisma\//],
  ['pg (PostgreSQL driver)', /node_modules\/(pg|pg-pool|pg-protocol|pg-types|pg-cloudflare|postgres-[a-z]+)\//],
  ['rate-limiter-flexible', /node_modules\/rate-limiter-flexible\//],
  [
    'Express and middleware',
    /node_modules\/(express|router|body-parser|raw-body|finalhandler|send|serve-static|on-finished|qs|cookie|negotiator|accepts|type-is|content-type|mime-types)\//,
  ],
  ['zod', /node_modules\/zod\//],
  ['jose (JWT)', /node_modules\/jose\//],
  ['argon2', /node_modules\/@node-rs\/argon2/],
  ['logging (pino)', /node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream|fast-redact|quick-format-unescaped)\//],
  ['OpenTelemetry', /node_modules\/@opentelemetry\//],
  ['prom-client', /node_modules\/(prom-client|tdigest|bintrees)\//],
  ['payload codec (AES-GCM)', /\/src\/codec\//],
  ['Temporal SDK (with rxjs, protobufjs)', /node_modules\/(@temporalio|rxjs|protobufjs|long|@grpc|ms|nexus-rpc|proto3-json-serializer)\//],
  ['decimal.js', /node_modules\/decimal\.js\//],
  ['other packages', /node_modules\//],
  ['fundflow code', /\/(activities|src|workflows|bench|scripts)\/|\/(worker|server)\.[tj]s$/],
];

/** Frames that say nothing about who asked for the work: Node's internals, V8's builtins, anonymous code. */
const generic = 'Node internals and V8 (no library on the stack)';

function categoryOf(frame: ProfileNode['callFrame']): string | undefined {
  const key = frame.url || frame.functionName;
  for (const [name, pattern] of categories) if (pattern.test(key)) return name;
  return undefined;
}

/** Milliseconds per category in one profile. */
function chargedTime(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const charged = new Map<number, string>();
  const chargeOf = (id: number): string => {
    let category = charged.get(id);
    for (let at: number | undefined = id; at !== undefined && !category; at = parentOf.get(at))
      category = categoryOf(byId.get(at)!.callFrame);
    charged.set(id, (category ??= generic));
    return category;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i; the time a sample stands for is the gap to the next one.
    const us = profile.timeDeltas[i + 1] ?? 0;
    const category = chargeOf(id);
    totals.set(category, (totals.get(category) ?? 0) + us / 1000);
  });
  return totals;
}

async function profilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.cpuprofile')).map((e) => path.join(e.parentPath, e.name));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : undefined;
  const [dir] = args;
  if (!dir || (runs !== undefined && !(runs > 0))) throw new Error('usage: tsx bench/profile-summary.ts <profile folder> [--runs N]');
  const files = await profilesUnder(dir);
  if (!files.length) throw new Error(`no .cpuprofile under ${dir}`);
  for (const file of files.sort()) {
    const busyTotals = [...chargedTime(JSON.parse(await readFile(file, 'utf8')) as Profile)].filter(([name]) => name !== '(idle)');
    const busy = busyTotals.reduce((sum, [, ms]) => sum + ms, 0);
    const rows = busyTotals
      .sort((a, b) => b[1] - a[1])
      .map(([name, ms]) => [name, ms.toFixed(0), `${((100 * ms) / busy).toFixed(1)} %`, ...(runs ? [(ms / runs).toFixed(2)] : [])]);
    console.log(`\n${path.relative(dir, file)}: ${(busy / 1000).toFixed(1)} s busy\n`);
    console.log(table(['charged to', 'ms', 'of busy', ...(runs ? ['ms per run'] : [])], rows));
  }
}

await main();
