const CONNECTION_STRING = /\b(?:postgres(?:ql)?|https?|wss?):\/\/[^\s'"<>]*@[^\s'"<>]*/gi;
const PASSWORD_PAIR = /\b(password|passwd|pwd)\s*[=:]\s*[^\s&'",;]+/gi;

/** The last line of defence: `text` without credentialed URLs, `password=` pairs and `secrets`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let redacted = text
    .replace(CONNECTION_STRING, '[redacted-url]')
    .replace(PASSWORD_PAIR, '$1=[redacted]');
  for (const secret of secrets) {
    if (secret.length >= 4) redacted = redacted.split(secret).join('[redacted]');
  }
  return redacted;
}
