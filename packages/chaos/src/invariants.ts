import type { ResponseSample } from '@neon-workers-template/bench/load';
import type { EndpointControl } from 'local-neon/control';
import type pg from 'pg';
import type { ChaosData } from './operations.ts';
import type { OperationOutcome } from './traffic.ts';

/**
 * Problem codes with which the template says a COMMIT was sent but its outcome is unknown:
 * the session died before the answer and pg_xact_status could not tell either
 * (src/db/tx-connection.ts). Such writes may or may not be there; they are counted apart,
 * not as violations.
 */
const OUTCOME_UNKNOWN_CODES = new Set(['commit_unknown']);

/** One broken promise, with enough context to find it (never a secret: titles and ids only). */
export interface Violation {
  invariant: string;
  detail: string;
}

export interface DataFigures {
  acknowledgedWrites: number;
  /** Moves naming a todo that does not exist: refused by design (404), nothing may move. */
  refusedWrites: number;
  failedWrites: number;
  outcomeUnknownWrites: number;
  outcomeUnknownPresent: number;
}

/** Every non-2xx answer is problem+json whose `status` matches and whose `code` is a string. */
export function checkResponses(outcomes: OperationOutcome[]): Violation[] {
  const violations: Violation[] = [];
  for (const { seq, op, attempts } of outcomes) {
    for (const sample of attempts) {
      if (sample.status === 0) {
        violations.push({ invariant: 'every request is answered', detail: describe(seq, sample) });
        continue;
      }
      if (op.kind === 'read-todo' && sample.status === 404)
        violations.push({
          invariant: 'a seeded todo stays readable',
          detail: describe(seq, sample),
        });
      if (sample.status < 300) continue;
      const problem = parseProblem(sample);
      if (problem) violations.push({ invariant: 'errors are problem+json', detail: problem });
    }
  }
  return violations;
}

function parseProblem(sample: ResponseSample): string | undefined {
  if (!sample.contentType.startsWith('application/problem+json'))
    return `status ${sample.status} with content-type "${sample.contentType}"`;
  let body: { status?: unknown; code?: unknown };
  try {
    body = JSON.parse(sample.body);
  } catch {
    return `status ${sample.status} with a body that is not JSON`;
  }
  if (body.status !== sample.status)
    return `status ${sample.status} but body.status ${body.status}`;
  if (typeof body.code !== 'string' || body.code === '')
    return `status ${sample.status} without a string code`;
  return undefined;
}

/** The problem `code` of an answer, if it has one. */
export function problemCode(sample: ResponseSample): string | undefined {
  try {
    const code = (JSON.parse(sample.body) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * From a separate connection: every acknowledged create is there exactly once, every failed
 * one left nothing; every acknowledged move moved both todos, every failed one moved none.
 */
export async function checkData(
  outcomes: OperationOutcome[],
  data: ChaosData,
  client: pg.Client,
): Promise<{ violations: Violation[]; figures: DataFigures }> {
  const violations: Violation[] = [];
  const figures: DataFigures = {
    acknowledgedWrites: 0,
    refusedWrites: 0,
    failedWrites: 0,
    outcomeUnknownWrites: 0,
    outcomeUnknownPresent: 0,
  };
  const titles = outcomes.flatMap(({ op }) => (op.kind === 'create' ? [op.title] : []));
  const counted = await client.query<{ title: string; n: number }>(
    'select title, count(*)::int as n from todos where title = any($1) group by title',
    [titles],
  );
  const copies = new Map(counted.rows.map((row) => [row.title, row.n]));
  const moved = await client.query<{ id: string; list_id: string }>(
    'select id, list_id from todos where id = any($1)',
    [data.movePairs.flat()],
  );
  const listOf = new Map(moved.rows.map((row) => [row.id, row.list_id]));

  for (const { seq, op, attempts } of outcomes) {
    if (op.kind !== 'create' && op.kind !== 'move') continue;
    const acknowledged = attempts.some((a) => a.status >= 200 && a.status < 300);
    const unknown =
      !acknowledged &&
      attempts.some((a) => a.status === 0 || OUTCOME_UNKNOWN_CODES.has(problemCode(a) ?? ''));
    if (acknowledged) figures.acknowledgedWrites += 1;
    else if (unknown) figures.outcomeUnknownWrites += 1;
    else if (op.kind === 'move' && op.bogusId) figures.refusedWrites += 1;
    else figures.failedWrites += 1;

    if (op.kind === 'create') {
      const n = copies.get(op.title) ?? 0;
      if (unknown && n === 1) figures.outcomeUnknownPresent += 1;
      if (acknowledged && n !== 1)
        violations.push({
          invariant: 'an acknowledged write is present exactly once',
          detail: `request ${seq} (create "${op.title}") found ${n} times`,
        });
      if (!acknowledged && !unknown && n !== 0)
        violations.push({
          invariant: 'a failed write leaves nothing',
          detail: `request ${seq} (create "${op.title}", answers ${statuses(attempts)}) found ${n} times`,
        });
      if (unknown && n > 1)
        violations.push({
          invariant: 'a write is never duplicated',
          detail: `request ${seq} (create "${op.title}") found ${n} times`,
        });
      continue;
    }

    const inTarget = op.todoIds.filter((id) => listOf.get(id) === op.to).length;
    const all = op.todoIds.length;
    if (unknown && inTarget === all) figures.outcomeUnknownPresent += 1;
    if (op.bogusId && acknowledged)
      violations.push({
        invariant: 'an all-or-nothing write with a missing row fails',
        detail: `request ${seq} (move with a todo that does not exist) answered 2xx`,
      });
    if (inTarget !== 0 && inTarget !== all)
      violations.push({
        invariant: 'an all-or-nothing write is never partial',
        detail: `request ${seq} moved ${inTarget} of ${all} todos`,
      });
    else if (acknowledged && inTarget !== all)
      violations.push({
        invariant: 'an acknowledged write is present exactly once',
        detail: `request ${seq} (move) acknowledged but the todos did not move`,
      });
    else if (!acknowledged && !unknown && inTarget !== 0)
      violations.push({
        invariant: 'a failed write leaves nothing',
        detail: `request ${seq} (move, answers ${statuses(attempts)}) moved the todos`,
      });
  }
  return { violations, figures };
}

export interface ConnectionFigures {
  wsOpen: number;
  httpInFlight: number;
  /** Backends of this run's Worker (its application_name) still in PostgreSQL. */
  workerBackends: number;
  /** Other client backends that are active or inside a transaction (exclusive stacks only). */
  otherBusyBackends: number;
}

/**
 * Nothing is left open: the endpoint has no session or HTTP query in flight, and PostgreSQL
 * has no backend of the Worker left once the endpoint's HTTP pool has let its idle ones go.
 * `exclusive` (the stack serves only this run) also counts any other busy backend.
 */
export async function checkConnections(
  control: EndpointControl,
  client: pg.Client,
  applicationName: string,
  options: { exclusive: boolean; settleMs: number },
): Promise<{ violations: Violation[]; figures: ConnectionFigures }> {
  const counters = await control.waitForIdle(options.settleMs);
  const deadline = Date.now() + options.settleMs;
  let workerBackends = 0;
  let otherBusyBackends = 0;
  for (;;) {
    const found = await client.query<{ mine: number; busy: number }>(
      `select count(*) filter (where application_name = $1)::int as mine,
              count(*) filter (where application_name <> $1 and state <> 'idle')::int as busy
         from pg_stat_activity
        where backend_type = 'client backend' and pid <> pg_backend_pid()`,
      [applicationName],
    );
    workerBackends = found.rows[0]?.mine ?? 0;
    otherBusyBackends = options.exclusive ? (found.rows[0]?.busy ?? 0) : 0;
    if ((workerBackends === 0 && otherBusyBackends === 0) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const figures = {
    wsOpen: counters.wsOpen,
    httpInFlight: counters.httpInFlight,
    workerBackends,
    otherBusyBackends,
  };
  const violations: Violation[] = [];
  for (const [name, value] of Object.entries(figures)) {
    if (value !== 0)
      violations.push({ invariant: 'no connection is left open', detail: `${name} = ${value}` });
  }
  return { violations, figures };
}

function describe(seq: number, sample: ResponseSample): string {
  return `request ${seq}: ${sample.status === 0 ? (sample.error ?? 'no answer') : sample.status}`;
}

function statuses(attempts: ResponseSample[]): string {
  return attempts.map((a) => a.status).join(',');
}
