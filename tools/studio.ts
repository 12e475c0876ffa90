/**
 * `npm run db:studio`: drizzle-kit studio, answering only its own web page. Its server sends
 * `Access-Control-Allow-Origin: *` and runs any SQL it is sent, so any site open in the
 * browser could use it; here a request from another Origin, or for a name other than this
 * machine's, gets 403 before it reaches it.
 */
import { subscribe } from 'node:diagnostics_channel';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { pathToFileURL } from 'node:url';
import { isOwnHost } from 'local-neon/request-guard';
import { DRIZZLE_KIT, isMain } from './cli.ts';

/** The page drizzle-kit studio opens (`https://local.drizzle.studio`), the one Origin let in. */
export const STUDIO_ORIGIN = 'https://local.drizzle.studio';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** True when a browser page other than the studio's sent the request. */
export function isForeignOrigin(origin: string | undefined): boolean {
  return origin !== undefined && origin !== STUDIO_ORIGIN;
}

/**
 * Wraps a server's request listener so foreign Origins get 403 and never reach it, and so do
 * requests for another name (a DNS name rebound to 127.0.0.1 sends its own `Host`, no `Origin`).
 */
function guardListener(listener: RequestListener): RequestListener {
  return function refuseForeignOrigins(req, res) {
    const { origin, host } = req.headers;
    if (isForeignOrigin(origin) || (host !== undefined && !isOwnHost(host))) {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end(`Only ${STUDIO_ORIGIN} may use this server.\n`);
      return;
    }
    listener(req, res);
  };
}

/**
 * Makes every HTTP(S) server created from now on in this process guarded. A request that
 * reaches a server created another way ends the process: unguarded is not an option.
 */
export function installOriginGuard(): void {
  const guarded = new WeakSet<object>();
  for (const mod of [http, https] as const) {
    const original = mod.createServer as (...args: unknown[]) => http.Server;
    (mod as { createServer: unknown }).createServer = (...args: unknown[]) => {
      const last = args.length - 1;
      if (typeof args[last] !== 'function') return original.apply(mod, args);
      args[last] = guardListener(args[last] as RequestListener);
      const server = original.apply(mod, args);
      guarded.add(server);
      return server;
    };
  }
  subscribe('http.server.request.start', (message) => {
    const { server, response } = message as { server: object; response: ServerResponse };
    if (guarded.has(server)) return;
    response.destroy();
    console.error('db:studio: drizzle-kit started a server this guard does not cover; stopping.');
    process.exit(1);
  });
}

async function main(): Promise<void> {
  installOriginGuard();
  // drizzle-kit reads its command from argv when its CLI module loads.
  process.argv = [process.argv[0] ?? 'node', DRIZZLE_KIT, 'studio', ...process.argv.slice(2)];
  await import(pathToFileURL(DRIZZLE_KIT).href);
}

if (isMain(import.meta.url)) await main();
