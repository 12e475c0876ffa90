import pg from 'pg';

/** Who logs in where: the superuser prepares, the app role owns. */
export interface AppRoleTarget {
  host: string;
  port: number;
  superuser: string;
  superuserPassword: string;
  appRole: string;
  appPassword: string;
  database: string;
}

/**
 * Makes `appRole` a login that owns `database` and everything in it, and nothing more: not a
 * superuser, no CREATEROLE or CREATEDB, not in pg_read_server_files / pg_write_server_files /
 * pg_execute_server_program, so it cannot run `COPY … TO PROGRAM` or read the server's files.
 * That is Neon's model, where the app's role owns its database without being a superuser.
 * Idempotent: run on every start, it also re-syncs the password and takes over objects an
 * older data folder created as the superuser.
 */
export async function prepareAppRole(target: AppRoleTarget): Promise<void> {
  const role = quoteIdent(target.appRole);
  const database = quoteIdent(target.database);
  await withSuperuser(target, 'postgres', async (client) => {
    const { rowCount } = await client.query('select 1 from pg_roles where rolname = $1', [
      target.appRole,
    ]);
    if (rowCount === 0) await client.query(`create role ${role}`);
    // Utility statements take no bind parameters; the password is URL-safe base64.
    await client.query(
      `alter role ${role} with login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password ${quoteLiteral(target.appPassword)}`,
    );
    for (const powerful of [
      'pg_read_server_files',
      'pg_write_server_files',
      'pg_execute_server_program',
    ]) {
      await client.query(`revoke ${powerful} from ${role}`);
    }
    const found = await client.query('select 1 from pg_database where datname = $1', [
      target.database,
    ]);
    if (found.rowCount === 0) await client.query(`create database ${database} owner ${role}`);
    else await client.query(`alter database ${database} owner to ${role}`);
  });
  await withSuperuser(target, target.database, (client) =>
    client.query(takeOverStatement(target.appRole)),
  );
}

/**
 * Hands the app role what the superuser owns outside the system schemas (data folders from
 * before the app role migrated as the superuser). A sequence owned by a column follows its
 * table; ALTER SEQUENCE on it would fail.
 */
function takeOverStatement(appRole: string): string {
  const role = quoteLiteral(appRole);
  return `
do $take_over$
declare
  statement text;
begin
  for statement in
    select format('alter schema %I owner to %I', n.nspname, ${role})
      from pg_namespace n
     where n.nspowner = (select oid from pg_roles where rolname = current_user)
       and n.nspname not like 'pg\\_%' and n.nspname not in ('information_schema', 'public')
    union all
    select format('alter table %I.%I owner to %I', n.nspname, c.relname, ${role})
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relowner = (select oid from pg_roles where rolname = current_user)
       and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
       and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
       and not exists (
         select 1 from pg_depend d
          where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i'))
    union all
    select format('alter type %I.%I owner to %I', n.nspname, t.typname, ${role})
      from pg_type t join pg_namespace n on n.oid = t.typnamespace
     where t.typowner = (select oid from pg_roles where rolname = current_user)
       and t.typtype in ('e', 'd')
       and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
    union all
    select format('alter routine %I.%I(%s) owner to %I', n.nspname, p.proname,
                  pg_get_function_identity_arguments(p.oid), ${role})
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where p.proowner = (select oid from pg_roles where rolname = current_user)
       and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
  loop
    execute statement;
  end loop;
end
$take_over$`;
}

async function withSuperuser<T>(
  target: AppRoleTarget,
  database: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.superuser,
    password: target.superuserPassword,
    database,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** An identifier quoted for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal quoted for SQL (standard_conforming_strings is on since PostgreSQL 9.1). */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
