/**
 * A local stack that cannot start for a reason the user can fix, said in its message alone
 * (what is wrong and what to do): runners print the message, never a stack trace.
 */
export class LocalSetupError extends Error {
  override name = 'LocalSetupError';
}
