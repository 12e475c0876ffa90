import type { FullQueryResults } from '@neondatabase/serverless';

/**
 * One row holding a broad sample of PostgreSQL types, for the HTTP-versus-WebSocket parity
 * tests in Node (test/tools) and in workerd (test/worker). `mood` names an enum the test creates.
 */
export function typeSampleSql(mood: string): string {
  return `SELECT
  1::int2 AS i2, 2147483647::int4 AS i4, 9007199254740993::int8 AS i8,
  12345.678901234567890::numeric AS num, 1.5::float4 AS f4, 3.141592653589793::float8 AS f8,
  'NaN'::float8 AS nan, true AS yes, false AS no, 'héllo "x", {y}'::text AS t,
  '\\xdeadbeef'::bytea AS bytes, '{"a":[1,2.5,"s"]}'::json AS j, '{"b": null}'::jsonb AS jb,
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u, '2024-02-29'::date AS d,
  '13:45:06.789'::time AS tm, '2024-02-29 13:45:06.789'::timestamp AS ts,
  '2024-02-29 13:45:06.789+02'::timestamptz AS tstz, '1 year 2 mons 3 days 04:05:06'::interval AS iv,
  ARRAY[1, 2, NULL]::int4[] AS ints, ARRAY['a', 'b c', '"q"', NULL]::text[] AS texts,
  ARRAY[[1.5, 2], [3, 4]]::float8[] AS matrix, '{"x":1}'::jsonb AS jsonb_obj,
  'happy'::${mood} AS mood, NULL::text AS nothing, NULL::int4 AS no_int`;
}

type Field = FullQueryResults<false>['fields'][number];

/** The field metadata both transports must agree on. */
export function fieldShape(field: Field) {
  return {
    name: field.name,
    dataTypeID: field.dataTypeID,
    tableID: field.tableID,
    columnID: field.columnID,
    dataTypeSize: field.dataTypeSize,
    dataTypeModifier: field.dataTypeModifier,
    format: field.format,
  };
}
