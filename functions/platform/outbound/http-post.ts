import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { PostOutcome, PostWebhook } from './delivery.ts';
import { isBlockedAddress } from './subscriptions.ts';

/** A connection refused because the name resolved to an address a subscriber may not have. */
class AddressRefusedError extends Error {
  override readonly name = 'AddressRefusedError';
}

/**
 * DNS lookup that refuses blocked addresses (loopback, link-local, private, metadata) at connect
 * time, so a name that resolves elsewhere after the URL was checked (DNS rebinding) still cannot
 * reach them.
 */
export const safeLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const allowed = addresses.filter((a) => !isBlockedAddress(a.address));
    if (!allowed.length) return callback(new AddressRefusedError(`${hostname} resolves only to addresses subscribers may not use`), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
    const first = allowed[0] as LookupAddress;
    callback(null, first.address, first.family);
  });
};

/**
 * POSTs with node:http(s): no redirects followed (a 3xx is an answer like any other), one timeout for
 * the whole exchange, the response body read and dropped. With `guardAddresses` (on AWS) every
 * connection goes through {@link safeLookup}.
 */
export function httpPost(opts: { readonly guardAddresses: boolean }): PostWebhook {
  return (url, body, headers, timeoutMs) =>
    new Promise<PostOutcome>((resolve) => {
      const target = new URL(url);
      const host = target.hostname.replace(/^\[|\]$/g, '');
      // An address in the URL is never looked up: it is checked here.
      if (opts.guardAddresses && isIP(host) && isBlockedAddress(host)) return resolve({ kind: 'failed', error: 'address-refused', message: `address ${host} is not one subscribers may use` });
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      let settled = false;
      const done = (o: PostOutcome) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve(o);
        }
      };
      const req = send(
        target,
        { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, ...(opts.guardAddresses ? { lookup: safeLookup } : {}) },
        (res) => {
          res.resume();
          res.on('end', () => done({ kind: 'answered', status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] ?? null }));
          res.on('error', () => done({ kind: 'answered', status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] ?? null }));
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        done({ kind: 'failed', error: 'timeout', message: `no answer in ${timeoutMs} ms` });
      }, timeoutMs);
      req.on('error', (err) => done({ kind: 'failed', error: err instanceof AddressRefusedError ? 'address-refused' : 'network', message: err.message }));
      req.end(body);
    });
}
