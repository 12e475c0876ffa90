import { neon } from '@neondatabase/serverless';
import type { AppConfig } from '../../config';
import { CommitUnknownError } from '../../errors';
import type { RequestTrace } from '../../trace';
import { mayHaveCommitted } from '../classify-error';
import { applyDriverSettings } from '../driver-settings';
import { sleep } from '../retry';

/** What Postgres says became of a transaction whose COMMIT reply was lost. */
export type CommitStatus = 'committed' | 'aborted' | 'unknown';

const CHECKS = 5;
const CHECK_INTERVAL_MS = 200;

/**
 * Asks a fresh HTTP session what became of transaction `xid` (`pg_xact_status`, PostgreSQL 13+).
 * "in progress" means the old backend has not noticed its connection is gone yet: ask again.
 */
export async function lookUpCommitStatus(config: AppConfig, xid: string): Promise<CommitStatus> {
  applyDriverSettings(config);
  const sql = neon(config.databaseUrl, {
    fetchOptions: { signal: AbortSignal.timeout(config.connectTimeoutMs * CHECKS) },
  });
  for (let check = 1; check <= CHECKS; check++) {
    try {
      const rows = await sql.query('SELECT pg_xact_status($1::xid8) AS status', [xid]);
      const status = rows[0]?.status;
      if (status === 'committed') return 'committed';
      if (status === 'aborted') return 'aborted';
    } catch {
      // The compute may still be restarting; the next check may reach it.
    }
    if (check < CHECKS) await sleep(CHECK_INTERVAL_MS);
  }
  return 'unknown';
}

/**
 * Settles a COMMIT that got no reply: by its transaction id when it has one and the failure was
 * one that may have committed ({@link mayHaveCommitted}); any other error is rethrown.
 * @returns 'committed' when it was; @throws the original error when it was not, else
 * {@link CommitUnknownError}.
 */
export async function settleLostCommit(
  config: AppConfig,
  xid: string | undefined,
  error: unknown,
  trace: RequestTrace,
): Promise<'committed'> {
  if (!xid || !mayHaveCommitted(error)) throw error;
  const status = await lookUpCommitStatus(config, xid);
  trace.commitLookup = status;
  if (status === 'committed') return 'committed';
  if (status === 'aborted') throw error;
  throw new CommitUnknownError(error);
}
