import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { findFreePort } from 'local-neon';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isForeignOrigin, STUDIO_ORIGIN } from '../../tools/studio';

const TSX = 'node_modules/tsx/dist/cli.mjs';

/** Starts `tsx <args>` and resolves once a line of its output matches `ready`. */
function start(args: string[], env: NodeJS.ProcessEnv, ready: RegExp) {
  const child = spawn(process.execPath, [TSX, ...args], { env: { ...process.env, ...env } });
  let output = '';
  const started = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (ready.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
  return { child, started, output: () => output };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('isForeignOrigin', () => {
  it("lets in the studio's page and clients that send no Origin, nothing else", () => {
    expect(isForeignOrigin(STUDIO_ORIGIN)).toBe(false);
    expect(isForeignOrigin(undefined)).toBe(false);
    expect(isForeignOrigin('https://evil.example')).toBe(true);
    expect(isForeignOrigin('http://local.drizzle.studio')).toBe(true);
    expect(isForeignOrigin('null')).toBe(true);
  });
});

describe('npm run db:studio', () => {
  let studio: ReturnType<typeof start>;
  let base: string;
  const table = `studio_probe_${process.pid}`;

  beforeAll(async () => {
    const port = await findFreePort();
    base = `http://127.0.0.1:${port}/`;
    studio = start(
      ['tools/studio.ts', '--port', String(port)],
      { DATABASE_URL_DIRECT: inject('postgresUrl') },
      /up and running/,
    );
    await studio.started;
  }, 60_000);

  afterAll(async () => {
    await stop(studio.child);
  });

  const runSql = (origin: string | undefined, sql: string) =>
    fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
      body: JSON.stringify({ type: 'proxy', data: { sql, method: 'run', mode: 'object' } }),
    });

  async function tableExists(): Promise<boolean> {
    const client = new pg.Client({ connectionString: inject('postgresUrl') });
    await client.connect();
    try {
      const { rows } = await client.query('select to_regclass($1) is not null as found', [table]);
      return rows[0].found as boolean;
    } finally {
      await client.end();
    }
  }

  it('refuses SQL from another web page with 403, and runs none of it', async () => {
    const answer = await runSql('https://evil.example', `create table ${table} (id int)`);
    expect(answer.status).toBe(403);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    expect(await tableExists()).toBe(false);
  });

  it('refuses SQL sent to a rebound name (no Origin, Host evil.example) with 403', async () => {
    const body = JSON.stringify({
      type: 'proxy',
      data: { sql: `create table ${table} (id int)`, method: 'run', mode: 'object' },
    });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const url = new URL(base);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          headers: { host: `evil.example:${url.port}`, 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.once('error', reject);
      req.end(body);
    });
    expect(status).toBe(403);
    expect(await tableExists()).toBe(false);
  });

  it("refuses another page's CORS preflight", async () => {
    const answer = await fetch(base, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(answer.status).toBe(403);
  });

  it("answers the studio's own page", async () => {
    const answer = await runSql(STUDIO_ORIGIN, 'select 1');
    expect(answer.status).toBe(200);
  });
});

describe('the origin guard fails closed', () => {
  it('stops the process when a server it did not wrap gets a request', async () => {
    const port = await findFreePort();
    // A server made with `new http.Server` never went through the patched createServer.
    const script = [
      "import http from 'node:http';",
      "import { installOriginGuard } from '../../tools/studio.ts';",
      'installOriginGuard();',
      "new http.Server((_req, res) => res.end('unguarded')).listen(",
      `  ${port}, '127.0.0.1', () => console.log('listening'));`,
    ].join('\n');
    const dir = `.local/studio-guard-test-${process.pid}`;
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/unguarded.ts`, script);
    const child = start([`${dir}/unguarded.ts`], {}, /listening/);
    await child.started.finally(() => rm(dir, { recursive: true, force: true }));
    const exited = new Promise<number | null>((resolve) => child.child.once('exit', resolve));
    const answer = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
    expect(await exited).toBe(1);
    expect(answer).toBeUndefined();
    expect(child.output()).toMatch(/does not cover; stopping/);
  });
});
