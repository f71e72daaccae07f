import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { parse } from 'yaml';

// Cuts the part of a provider's published OpenAPI description that fundflow uses: the operations below and every
// component they reference (transitively), without examples. Run it again on a newer full description to
// refresh a subset (README.md beside this file says where each full description comes from):
//
//   npx tsx test/providers/openapi/subset.ts circle-mint            # reads the installed @circle-fin/circle-sdk
//   npx tsx test/providers/openapi/subset.ts alpaca-trading <full trading-api.json>
//   npx tsx test/providers/openapi/subset.ts alpaca-broker  <full broker openapi.yaml|json>

type Method = 'get' | 'post' | 'delete' | 'put' | 'patch';

export interface SubsetSource {
  /** Where the full description was taken from: repository or package, path, commit or version. */
  from: string;
  path: string;
  revision: string;
  license: string;
}

interface Manifest {
  /** The full description's default location on this machine, when a package ships it. */
  defaultInput?: string;
  source: SubsetSource;
  operations: Array<[Method, string]>;
}

const here = path.dirname(fileURLToPath(import.meta.url));

export const manifests: Record<string, Manifest> = {
  'circle-mint': {
    defaultInput: path.join(here, '../../../node_modules/@circle-fin/circle-sdk/sdk.json'),
    source: {
      from: 'npm @circle-fin/circle-sdk (github.com/circlefin/circle-nodejs-sdk), the description its SDK is generated from',
      path: 'sdk.json',
      revision: '2.9.0',
      license: 'Apache-2.0',
    },
    operations: [
      ['post', '/v1/businessAccount/banks/wires'],
      ['get', '/v1/businessAccount/banks/wires/{id}/instructions'],
      ['post', '/v1/businessAccount/payouts'],
      ['get', '/v1/businessAccount/payouts'],
      ['get', '/v1/businessAccount/payouts/{id}'],
      ['post', '/v1/mocks/payments/wire'],
      ['get', '/v1/businessAccount/deposits'],
      ['get', '/v1/businessAccount/balances'],
      ['post', '/v1/businessAccount/wallets/addresses/recipient'],
      ['post', '/v1/businessAccount/wallets/addresses/deposit'],
      ['get', '/v1/businessAccount/wallets/addresses/deposit'],
      ['post', '/v1/businessAccount/transfers'],
      ['get', '/v1/businessAccount/transfers'],
      ['get', '/v1/businessAccount/transfers/{id}'],
    ],
  },
  'alpaca-trading': {
    source: {
      from: 'github.com/alpacahq/alpaca-ts-alpha, its pinned copy of https://docs.alpaca.markets/us/openapi/trading-api.json (Trading API 2.0.1, the version @alpacahq/alpaca-trade-api 4.0.2 is generated from)',
      path: 'tooling/specs/trading-api.json',
      revision: 'cbae4988f369af4400e322e3252cb91a47a315df',
      license: 'Apache-2.0 (the repository)',
    },
    operations: [
      ['get', '/v2/account'],
      ['post', '/v2/orders'],
      ['get', '/v2/orders'],
      ['get', '/v2/orders/{order_id}'],
      ['delete', '/v2/orders/{order_id}'],
      ['get', '/v2/orders:by_client_order_id'],
      ['get', '/v2/positions'],
      ['get', '/v2/positions/{symbol_or_asset_id}'],
    ],
  },
  'alpaca-broker': {
    source: {
      from: 'github.com/alpacahq/alpaca-docs (Broker API 1.0.0; its oas/README.md calls it outdated and points at https://docs.alpaca.markets/openapi, which is not mirrored here)',
      path: 'oas/broker/openapi.yaml',
      revision: '5d19b92fce4f1cf2fee8cf64a23978d4bfe521ae',
      license: 'none stated (Alpaca documentation, copied in part for interoperability testing)',
    },
    operations: [
      ['post', '/v1/journals'],
      ['get', '/v1/journals'],
      ['get', '/v1/trading/accounts/{account_id}/account'],
      // GET /v1/journals/{journal_id} is used too, but this description has only its DELETE (see README.md).
    ],
  },
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The subset of `full` holding `operations` and the components they reach; examples are left out. `sha256`: of the full text. */
export function cutSubset(full: Record<string, Json>, name: string, manifest: Manifest, sha256?: string): Record<string, Json> {
  const fullPaths = full.paths as Record<string, Record<string, Json>>;
  const paths: Record<string, Record<string, Json>> = {};
  for (const [method, route] of manifest.operations) {
    const item = fullPaths[route];
    const operation = item?.[method];
    if (!operation) throw new Error(`${name}: the description has no ${method.toUpperCase()} ${route}`);
    paths[route] ??= item.parameters ? { parameters: withoutExamples(item.parameters) } : {};
    paths[route][method] = withoutExamples(operation);
  }

  const fullComponents = (full.components ?? {}) as Record<string, Record<string, Json>>;
  const components: Record<string, Record<string, Json>> = {};
  const pending = [...refsIn(paths)];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const ref = pending.pop()!;
    if (seen.has(ref)) continue;
    seen.add(ref);
    const [, kind = '', key = ''] = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref) ?? [];
    const target = fullComponents[kind]?.[key];
    if (target === undefined) throw new Error(`${name}: unresolved ${ref}`);
    const copy = withoutExamples(target);
    (components[kind] ??= {})[key] = copy;
    pending.push(...refsIn(copy));
  }
  for (const [kind, entries] of Object.entries(components)) components[kind] = sortedKeys(entries);

  return {
    openapi: full.openapi,
    info: {
      ...(full.info as Record<string, Json>),
      'x-fundflow-subset': { ...manifest.source, ...(sha256 ? { sha256 } : {}) } as unknown as Json,
    },
    paths: sortedKeys(paths),
    components,
  } as Record<string, Json>;
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, v]) => (key === '$ref' && typeof v === 'string' ? [v] : refsIn(v)));
  }
  return [];
}

function withoutExamples<T extends Json>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutExamples) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [key, v] of Object.entries(value)) {
      // `example(s)` of a schema or media type, never a property that happens to be named so.
      if ((key === 'example' || key === 'examples' || key === 'x-examples') && !isPropertiesMap(value)) continue;
      out[key] = withoutExamples(v);
    }
    return out as T;
  }
  return value;
}

/** A `properties` map's values are all schemas (objects); an `example` value sits beside `type` or `schema`. */
function isPropertiesMap(value: Record<string, Json>): boolean {
  return (
    !('type' in value) &&
    !('schema' in value) &&
    !('$ref' in value) &&
    Object.values(value).every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))
  );
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

async function main(): Promise<void> {
  const [name = '', input] = process.argv.slice(2);
  const manifest = manifests[name];
  if (!manifest) throw new Error(`usage: subset.ts <${Object.keys(manifests).join('|')}> [full description]`);
  const file = input ?? manifest.defaultInput;
  if (!file) throw new Error(`${name}: give the path of the full description (README.md says where to get it)`);
  const text = readFileSync(file, 'utf8');
  const full = (file.endsWith('.json') ? JSON.parse(text) : parse(text)) as Record<string, Json>;
  const out = path.join(here, `${name}.json`);
  const sha256 = createHash('sha256').update(text).digest('hex');
  // Written as the repository's formatter would write it, so that formatting the tree leaves it as generated.
  const json = JSON.stringify(cutSubset(full, name, manifest, sha256));
  writeFileSync(out, await format(json, { ...(await resolveConfig(out)), filepath: out }));
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
