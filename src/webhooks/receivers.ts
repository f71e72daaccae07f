import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Config } from '../config.js';
import { internalAddressReason } from '../domain/internal-addresses.js';

// Where webhooks may go. An endpoint URL is an operator's input that our servers then POST to: pointed at
// 127.0.0.1, 10.x, 169.254.169.254 or a name that resolves there, it would turn the worker into a proxy into our
// own network (SSRF). So, unless WEBHOOK_ALLOW_PRIVATE_URLS (development and tests; refused in production):
// registration refuses such a URL (literal or resolved), and delivery checks again on every attempt at connect
// time, on the very addresses it connects to, so a name that resolves somewhere else later (DNS rebinding) is
// refused too. Production also requires https. Redirects are never followed.

export type ReceiverPolicy = Pick<Config, 'NODE_ENV' | 'WEBHOOK_ALLOW_PRIVATE_URLS'>;

/** A delivery the policy refused before anything was sent. */
export class ReceiverRefusedError extends Error {
  override name = 'ReceiverRefusedError';
}

// `localhost.` is `localhost`: a fully qualified name's trailing dot changes nothing of where it goes.
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
const isLocalName = (host: string) => host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal');

/** Why the URL itself (scheme, literal address, local name) may not receive webhooks; no DNS. */
function staticProblem(policy: ReceiverPolicy, url: URL): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'not an http(s) URL';
  if (policy.NODE_ENV === 'production' && url.protocol !== 'https:') return 'a receiver must be https in production';
  if (policy.WEBHOOK_ALLOW_PRIVATE_URLS) return undefined;
  const host = hostOf(url).toLowerCase();
  if (isIP(host)) {
    const reason = internalAddressReason(host);
    return reason && `${host} is an internal address (${reason})`;
  }
  if (isLocalName(host)) return `${host} is a local name`;
  return undefined;
}

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );
}

/** Why an operator may not register `value` as a receiver, or undefined. Resolves its name once. */
export async function receiverUrlProblem(policy: ReceiverPolicy, value: string): Promise<string | undefined> {
  const url = new URL(value);
  const problem = staticProblem(policy, url);
  if (problem || policy.WEBHOOK_ALLOW_PRIVATE_URLS || isIP(hostOf(url))) return problem;
  let addresses: LookupAddress[];
  try {
    addresses = await resolveAll(hostOf(url));
  } catch {
    return `${hostOf(url)} does not resolve`;
  }
  for (const { address } of addresses) {
    const reason = internalAddressReason(address);
    if (reason) return `${hostOf(url)} resolves to ${address}, an internal address (${reason})`;
  }
  return undefined;
}

/** net.connect's lookup that refuses every name resolving to an internal address (checked where it connects). */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 4);
    const refused = addresses.find(({ address }) => internalAddressReason(address));
    if (refused || addresses.length === 0) {
      const reason = refused
        ? `${hostname} resolves to ${refused.address}, an internal address (${internalAddressReason(refused.address)})`
        : `${hostname} does not resolve`;
      return callback(new ReceiverRefusedError(reason), '', 4);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/**
 * POSTs `body` to a receiver under the policy and answers its HTTP status (the response body is not read). Throws
 * ReceiverRefusedError when the policy refuses the URL or what it resolves to, and the transport's error otherwise.
 */
export async function postToReceiver(
  policy: ReceiverPolicy,
  target: string,
  options: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<number> {
  const url = new URL(target);
  const problem = staticProblem(policy, url);
  if (problem) throw new ReceiverRefusedError(problem);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) },
      signal: AbortSignal.timeout(options.timeoutMs),
      ...(policy.WEBHOOK_ALLOW_PRIVATE_URLS ? {} : { lookup: guardedLookup }),
    });
    req.on('response', (res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
