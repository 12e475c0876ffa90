import type { AppConfig } from '../../config';
import { CommitUnknownError } from '../../errors';
import type { RequestTrace } from '../../trace';
import { mayHaveCommitted } from '../classify-error';
import { httpSql } from '../driver-settings';
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
  const sql = httpSql(config);
  for (let check = 1; ; check++) {
    try {
      const rows = await sql.query('SELECT pg_xact_status($1::xid8) AS status', [xid], {
        fetchOptions: { signal: AbortSignal.timeout(config.connectTimeoutMs) },
      });
      const status = rows[0]?.status;
      if (status === 'committed' || status === 'aborted') return status;
    } catch {
      // The compute may still be restarting; the next check may reach it.
    }
    if (check === CHECKS) return 'unknown';
    await sleep(CHECK_INTERVAL_MS);
  }
}

/** Settles a COMMIT that got no reply by its xid: 'committed', or throws `error` or CommitUnknownError. */
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
