import { randomUUID } from 'node:crypto';
import { neon } from '@neondatabase/serverless';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { routeHttpToLocalEndpoints } from '../src/node-driver.ts';

let app: pg.Client;
let superuser: pg.Client;

beforeAll(async () => {
  app = new pg.Client(inject('appPostgresUrl'));
  superuser = new pg.Client(inject('postgresUrl'));
  await Promise.all([app.connect(), superuser.connect()]);
});

afterAll(async () => {
  await Promise.all([app.end(), superuser.end()]);
});

async function sqlstateOf(statement: string): Promise<string | undefined> {
  try {
    await app.query(statement);
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe("the Worker's database login", () => {
  it('is the app role, not the superuser', async () => {
    const url = new URL(inject('databaseUrl'));
    expect(url.username).toBe('app');
    routeHttpToLocalEndpoints();
    const [row] = await neon(url.toString())`
      select current_user as "user", rolsuper as super, rolcreaterole as "createRole",
             rolcreatedb as "createDb"
        from pg_roles where rolname = current_user`;
    expect(row).toEqual({ user: 'app', super: false, createRole: false, createDb: false });
  });
});

describe('the app role', () => {
  it('cannot run a program on the server (COPY … TO PROGRAM)', async () => {
    expect(await sqlstateOf(`copy (select 1) to program 'id'`)).toBe('42501');
  });

  it("cannot read the server's files", async () => {
    expect(await sqlstateOf(`select pg_read_file('postgresql.conf')`)).toBe('42501');
    expect(await sqlstateOf(`copy (select 1) to '/tmp/app-role-copy'`)).toBe('42501');
  });

  it('cannot create or alter roles, nor databases', async () => {
    expect(await sqlstateOf(`create role app_escalation_${process.pid}`)).toBe('42501');
    expect(await sqlstateOf('alter role app superuser')).toBe('42501');
    expect(await sqlstateOf(`create database app_escalation_${process.pid}`)).toBe('42501');
  });

  it('is in none of the roles that read, write or run things on the server', async () => {
    // pg_database_owner is implicit: the owner of the current database is its one member.
    const { rows } = await superuser.query(
      `select r.rolname from pg_roles r
        where pg_has_role('app', r.oid, 'member')
          and r.rolname not in ('app', 'pg_database_owner')`,
    );
    expect(rows).toEqual([]);
  });

  it('owns the database, the schemas and tables the migrations created', async () => {
    const { rows } = await superuser.query(
      `select c.relname as name, pg_get_userbyid(c.relowner) as owner
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('public', 'drizzle') and c.relkind = 'r'
        order by 1`,
    );
    expect(rows).toEqual([
      { name: '__drizzle_migrations', owner: 'app' },
      { name: 'idempotency_keys', owner: 'app' },
      { name: 'lists', owner: 'app' },
      { name: 'todos', owner: 'app' },
      { name: 'tx_receipts', owner: 'app' },
    ]);
    const { rows: db } = await superuser.query(
      `select pg_get_userbyid(datdba) as owner from pg_database where datname = current_database()`,
    );
    expect(db).toEqual([{ owner: 'app' }]);
  });

  it('reads and writes the app tables, and alters them as a later migration would', async () => {
    const name = `app-role-${randomUUID()}`;
    await app.query('begin');
    try {
      const { rows } = await app.query('insert into lists (name) values ($1) returning id', [name]);
      await app.query('update lists set name = $1 where id = $2', [`${name}!`, rows[0].id]);
      await app.query('alter table lists add column app_role_probe int');
      await app.query('create index on lists (app_role_probe)');
      const found = await app.query('select name from lists where id = $1', [rows[0].id]);
      expect(found.rows).toEqual([{ name: `${name}!` }]);
      await app.query('delete from lists where id = $1', [rows[0].id]);
    } finally {
      await app.query('rollback');
    }
    const left = await superuser.query('select count(*)::int as n from lists where name like $1', [
      `${name}%`,
    ]);
    expect(left.rows[0].n).toBe(0);
  });
});
