import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './http-util.ts';
import { SqlRequestError } from './sql-request.ts';
import type { FaultSettings, NeonEndpoint } from './types.ts';

/** What the control API acts on: its own endpoint and the siblings it started. */
export interface ControlContext {
  endpoint: NeonEndpoint;
  siblings: Map<number, NeonEndpoint>;
  startSibling(): Promise<NeonEndpoint>;
}

const CONTROL_BODY_LIMIT = 64 * 1024;

/** The `/_local` API: counters, faults, terminate and sibling endpoints (see docs in common.md). */
export async function handleControlRequest(
  request: IncomingMessage,
  response: ServerResponse,
  context: ControlContext,
): Promise<void> {
  const { endpoint, siblings } = context;
  const route = `${request.method} ${new URL(request.url ?? '/', 'http://localhost').pathname}`;
  const siblingPort = /^DELETE \/_local\/endpoints\/(\d+)$/.exec(route)?.[1];
  if (!isJsonOrEmpty(request)) {
    return sendJson(response, 415, {
      message: '/_local takes only Content-Type: application/json bodies',
    });
  }
  try {
    if (route === 'GET /_local/counters') return sendJson(response, 200, endpoint.counters());
    if (route === 'POST /_local/counters/reset') {
      endpoint.resetCounters();
      return sendJson(response, 200, endpoint.counters());
    }
    if (route === 'POST /_local/faults') {
      const body = await readBody(request, CONTROL_BODY_LIMIT);
      endpoint.setFaults(parseFaultSettings(body));
      return sendJson(response, 200, { ok: true });
    }
    if (route === 'DELETE /_local/faults') {
      endpoint.clearFaults();
      return sendJson(response, 200, { ok: true });
    }
    if (route === 'POST /_local/terminate') {
      return sendJson(response, 200, { terminated: await endpoint.terminateAll() });
    }
    if (route === 'POST /_local/endpoints') {
      const sibling = await context.startSibling();
      const { port, url } = sibling;
      return sendJson(response, 201, { port, url, controlUrl: `${url}/_local` });
    }
    if (siblingPort !== undefined) {
      const sibling = siblings.get(Number(siblingPort));
      if (!sibling)
        return sendJson(response, 404, { message: `no sibling endpoint on ${siblingPort}` });
      siblings.delete(sibling.port);
      await sibling.close();
      return sendJson(response, 200, { closed: sibling.port });
    }
    sendJson(response, 404, { message: `unknown control route: ${route}` });
  } catch (error) {
    const status = error instanceof SqlRequestError ? error.status : 500;
    sendJson(response, status, { message: (error as Error).message });
  }
}

/** Validates a faults body; throws a 400 naming the first bad field. */
function parseFaultSettings(text: string): FaultSettings {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SqlRequestError(400, 'faults body is not valid JSON');
  }
  const bad = (field: string) => new SqlRequestError(400, `invalid fault setting: ${field}`);
  if (!isRecord(value)) throw bad('body must be an object');
  const { latencyMs, suspend, connectionCap, loseReplies, freezeBackends } = value;
  if (freezeBackends !== undefined && typeof freezeBackends !== 'boolean') {
    throw bad('freezeBackends');
  }
  if (latencyMs !== undefined && !isCount(latencyMs)) throw bad('latencyMs');
  if (connectionCap !== undefined && connectionCap !== null && !isCount(connectionCap)) {
    throw bad('connectionCap');
  }
  if (suspend !== undefined && !isRecord(suspend)) throw bad('suspend');
  const waitMs = suspend?.waitMs;
  const failCount = suspend?.failCount;
  if (waitMs !== undefined && !isCount(waitMs)) throw bad('suspend.waitMs');
  if (failCount !== undefined && failCount !== 'forever' && !isCount(failCount)) {
    throw bad('suspend.failCount');
  }
  if (loseReplies !== undefined && !isRecord(loseReplies)) throw bad('loseReplies');
  for (const path of ['http', 'ws'] as const) {
    const count = loseReplies?.[path];
    if (count !== undefined && count !== 'forever' && !isCount(count)) {
      throw bad(`loseReplies.${path}`);
    }
  }
  return value as FaultSettings;
}

/**
 * A form or `text/plain` body is what a page can send without a CORS preflight; JSON needs
 * one, and this endpoint answers no preflight.
 */
function isJsonOrEmpty(request: IncomingMessage): boolean {
  const type = request.headers['content-type'];
  if (type !== undefined) return type.split(';')[0]?.trim().toLowerCase() === 'application/json';
  const hasBody =
    request.headers['transfer-encoding'] !== undefined ||
    Number(request.headers['content-length'] ?? 0) > 0;
  return !hasBody;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
