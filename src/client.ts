import { hc } from 'hono/client';
import type { apiRoutes } from './routes/api';

/** The API's routes as types, for `hc<AppType>` (imports no server code at runtime). */
export type AppType = typeof apiRoutes;

/** `token` is sent as `Authorization: Bearer`; `fetch` may be a service binding's. */
export type ApiClientOptions = {
  token?: string;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
};

/**
 * A typed client for Node, browsers and Workers.
 * @example
 * const api = createApiClient('http://127.0.0.1:8787', { token: process.env.API_TOKEN });
 * const res = await api.lists.$post({ json: { name: 'Groceries' } });
 * if (res.status === 201) console.log((await res.json()).id);
 */
export function createApiClient(baseUrl: string, options: ApiClientOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  return hc<AppType>(baseUrl, { headers, fetch: options.fetch });
}
