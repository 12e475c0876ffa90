import type { TxDatabase } from '../app-env';
import { TxMisuseError } from '../errors';

/**
 * A stand-in for drizzle's `transaction()` on a connection whose transaction someone else owns:
 * drizzle would send its own BEGIN and COMMIT inside it and commit it half-way.
 */
export function refuseNestedTransaction(message: string): TxDatabase['transaction'] {
  return (() => {
    throw new TxMisuseError(message);
  }) as TxDatabase['transaction'];
}
