import type { IncomingMessage, ServerResponse } from 'node:http';
import { SqlRequestError } from './sql-request.ts';

/** Reads a request body, refusing (413, as Neon) anything larger than `limit` bytes. */
export function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () => new SqlRequestError(413, `request is too large (max is ${limit} bytes)`);
  if (Number(request.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Answers with a JSON body; a refused upload also closes the connection so it stops sending. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJsonText(response, status, JSON.stringify(body), headers);
}

/** As `sendJson`, for a body already serialized (to measure it first). */
export function sendJsonText(
  response: ServerResponse,
  status: number,
  payload: string,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    ...(status === 413 ? { Connection: 'close' } : {}),
    ...headers,
  });
  response.end(payload);
}
