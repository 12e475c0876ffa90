import type { IncomingHttpHeaders } from 'node:http';

// Hostnames as URL parses them: an IPv6 literal keeps its brackets.
const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
const QUOTED_LIMIT = 100;

/**
 * Why a request to the local endpoint is refused, or undefined when it may pass. The driver
 * (workerd, Node) sends no `Origin`; a web page always does on a WebSocket upgrade and on a
 * cross-origin request, so any non-loopback `Origin` means a page is trying to reach the
 * database. A page served from a rebound DNS name (evil.example resolving to 127.0.0.1) sends
 * its own name as `Host` and may omit `Origin` on same-origin requests, so `Host` must name
 * this machine too.
 */
export function refusalReason(headers: IncomingHttpHeaders, ownHost: string): string | undefined {
  const { origin, host } = headers;
  if (origin !== undefined && !isLoopbackOrigin(origin)) {
    return `the local Neon endpoint serves the Neon driver, not web pages: Origin ${quoted(origin)} is refused`;
  }
  if (host !== undefined && !isOwnHost(host, ownHost)) {
    return `Host ${quoted(host)} is not a loopback name: connect to 127.0.0.1 (a DNS name that resolves here is refused)`;
  }
  return undefined;
}

/** True for `http(s)://` origins on 127.0.0.1, localhost or [::1], any port. */
export function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (a sandboxed frame, a file:// page) and other opaque origins
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.origin === origin &&
    LOOPBACK_HOSTNAMES.has(url.hostname)
  );
}

/** True when a `Host` header names this machine: a loopback name, or `ownHost` (the listen address). */
export function isOwnHost(host: string, ownHost = '127.0.0.1'): boolean {
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
  const own = ownHost.includes(':') ? `[${ownHost}]` : ownHost;
  return LOOPBACK_HOSTNAMES.has(hostname) || hostname === own;
}

function quoted(value: string): string {
  return JSON.stringify(value.slice(0, QUOTED_LIMIT));
}
