import type { RequestIdVariables } from 'hono/request-id';
import type { TimingVariables } from 'hono/timing';
import type { TransactionVariables } from './db/transaction';
import type { TraceVariables } from './middleware/request-trace';

/** The app's Hono environment: the bindings, and what each middleware sets on the context. */
export type AppEnv = {
  Bindings: Env;
  Variables: RequestIdVariables & TimingVariables & TraceVariables & TransactionVariables;
};
