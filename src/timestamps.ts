// Postgres prints timestamptz in the session's TimeZone ("2026-01-31 13:00:00.1234+01");
// both drivers hand it over as that text (drizzle mode 'string'), microseconds included.
const PG_TIMESTAMPTZ =
  /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:(Z)|([+-]\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)$/;

/** ISO 8601 UTC with six fraction digits: the pagination cursor compares the stored value exactly. */
export function toIsoTimestamp(value: string): string {
  const match = PG_TIMESTAMPTZ.exec(value);
  if (!match) throw new Error('unexpected timestamptz format');
  const [, date, time, fraction = '', zulu, offsetHours, offsetMinutes = '00', offsetSeconds] =
    match;
  const micros = fraction.padEnd(6, '0');
  if (zulu || (Number(offsetHours) === 0 && offsetMinutes === '00' && !offsetSeconds)) {
    return `${date}T${time}.${micros}Z`;
  }
  const sign = offsetHours?.startsWith('-') ? -1 : 1;
  const offsetMs =
    sign *
    (Math.abs(Number(offsetHours)) * 3_600_000 +
      Number(offsetMinutes) * 60_000 +
      Number(offsetSeconds ?? 0) * 1_000);
  const utc = new Date(Date.parse(`${date}T${time}Z`) - offsetMs);
  return `${utc.toISOString().slice(0, 19)}.${micros}Z`;
}
