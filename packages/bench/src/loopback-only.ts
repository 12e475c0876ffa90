const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const isLoopbackUrl = (url: string) => URL.canParse(url) && LOOPBACK.has(new URL(url).hostname);

/**
 * A 403 for a request from a web page or for a rebound name, else undefined: the bench's own
 * Workers listen on 127.0.0.1 while a run lasts, and a page in a browser can reach them too.
 * One header check, so the floor it guards stays the floor.
 */
export function refuseWebPages(request: Request): Response | undefined {
  const origin = request.headers.get('Origin');
  const host = request.headers.get('Host');
  const local =
    (origin === null || isLoopbackUrl(origin)) &&
    (host === null || isLoopbackUrl(`http://${host}`)) &&
    isLoopbackUrl(request.url);
  return local ? undefined : new Response('local bench Worker: loopback only\n', { status: 403 });
}
