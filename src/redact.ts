/**
 * Removes connection strings and known secrets from text bound for a log line or a
 * response. The last line of defence: callers should not pass such text at all.
 */

const CONNECTION_STRING = /\b(?:postgres(?:ql)?|https?|wss?):\/\/[^\s'"<>]*@[^\s'"<>]*/gi;
const PASSWORD_PAIR = /\b(password|passwd|pwd)\s*[=:]\s*[^\s&'",;]+/gi;

/** Returns `text` with URLs that carry credentials, `password=` pairs and every given secret redacted. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let redacted = text
    .replace(CONNECTION_STRING, '[redacted-url]')
    .replace(PASSWORD_PAIR, '$1=[redacted]');
  for (const secret of secrets) {
    if (secret.length >= 4) redacted = redacted.split(secret).join('[redacted]');
  }
  return redacted;
}
