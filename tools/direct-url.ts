/** Where migrations connect: the direct (non-pooled) endpoint, checked before any connection. */
import {
  isLoopbackHost,
  isLoopbackUrl,
  parseDatabaseUrl,
  passwordForms,
} from '../src/database-url.ts';
import { redactSecrets } from '../src/redact.ts';
import { fail, messageOf } from './cli.ts';

// The Worker's own rule, so a URL the tools take for this machine is one the Worker does too.
export { isLoopbackHost, isLoopbackUrl };

const STRICT_SSL_MODES = new Set(['require', 'verify-ca', 'verify-full']);

/** The variables a direct URL can come from (process env, `.dev.vars`). */
export type DirectUrlSourceVars = { DATABASE_URL_DIRECT?: string; DATABASE_URL?: string };

/**
 * `DATABASE_URL_DIRECT`, or the pooled `DATABASE_URL` with `-pooler` dropped from its host
 * (Neon names the two endpoints `ep-x-pooler.region…` and `ep-x.region…`).
 */
export function resolveDirectUrl(vars: DirectUrlSourceVars): string | undefined {
  if (vars.DATABASE_URL_DIRECT) return vars.DATABASE_URL_DIRECT;
  if (!vars.DATABASE_URL) return undefined;
  if (!URL.canParse(vars.DATABASE_URL)) return vars.DATABASE_URL;
  const url = new URL(vars.DATABASE_URL);
  url.hostname = url.hostname.replace('-pooler.', '.');
  return url.toString();
}

/**
 * Throws with a message that names the problem and the fix; never echoes the password.
 * Migrations need the direct endpoint: PgBouncer in transaction mode hands each transaction
 * to any server session, so session state and the advisory lock taken here would not hold.
 */
export function assertDirectUrl(raw: string): URL {
  if (!URL.canParse(raw)) {
    throw new Error(
      'DATABASE_URL_DIRECT is not a valid URL (expected postgresql://user:password@host/db).',
    );
  }
  const url = new URL(raw);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(
      `DATABASE_URL_DIRECT must start with postgres:// or postgresql://, not ${url.protocol}//.`,
    );
  }
  if (url.hostname.includes('-pooler')) {
    throw new Error(
      `DATABASE_URL_DIRECT points at a pooled endpoint (${url.hostname}). Migrations need the direct ` +
        'endpoint: PgBouncer in transaction mode does not keep session state or advisory locks. ' +
        'Copy the direct connection string from the Neon console (host without "-pooler").',
    );
  }
  const sslmode = url.searchParams.get('sslmode');
  if (!isLoopbackHost(url.hostname) && !STRICT_SSL_MODES.has(sslmode ?? '')) {
    throw new Error(
      `DATABASE_URL_DIRECT for remote host ${url.hostname} must carry sslmode=require ` +
        `(or verify-ca / verify-full), got ${sslmode ? `sslmode=${sslmode}` : 'none'}. ` +
        'Append ?sslmode=require so the password never crosses the network in clear.',
    );
  }
  return url;
}

/** Which database a URL names, for log lines: database and host, never user or password. */
export function describeDatabase(raw: string): string {
  try {
    const url = new URL(raw);
    return `database "${decodeURIComponent(url.pathname.slice(1)) || 'postgres'}" on ${url.host}`;
  } catch {
    return '<unparseable url>';
  }
}

/**
 * `text` with the password of `rawUrl` masked in every spelling (however short), then the
 * Worker's redaction: any other credentialed URL and `password=` pair.
 */
export function redactPassword(text: string, rawUrl: string): string {
  const url = parseDatabaseUrl(rawUrl);
  const forms = url ? passwordForms(url).sort((a, b) => b.length - a.length) : [];
  return redactSecrets(forms.reduce((redacted, form) => redacted.replaceAll(form, '***'), text));
}

/**
 * A CLI's catch handler: prints `<failed>: <message>` with the password of `rawUrl` masked,
 * and exits 1.
 */
export function failRedacted(failed: string, rawUrl: string): (error: unknown) => never {
  return (error) => fail(`${failed}: ${redactPassword(messageOf(error), rawUrl)}`);
}
