/** The handler used the request transaction in a way the middleware forbids; the message says how. */
export class TxMisuseError extends Error {
  override readonly name = 'TxMisuseError';
}
