// Neon's JSON <-> PostgreSQL text conventions (proxy `serverless/json.rs`): parameters arrive as
// JSON and go to PostgreSQL as text; without Neon-Raw-Text-Output, a few types leave as JSON.

/** A JSON parameter as PostgreSQL text: strings verbatim, arrays as array literals, null as NULL. */
export function toPgParam(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return toArrayLiteral(value);
  return JSON.stringify(value);
}

function toArrayLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return `{${value.map(toArrayLiteral).join(',')}}`;
  // Inside an array literal strings are double-quoted with \" and \\ escapes, as JSON writes them.
  if (typeof value === 'object') return JSON.stringify(JSON.stringify(value));
  return JSON.stringify(value);
}

const BOOL = 16;
const INT2 = 21;
const INT4 = 23;
const FLOAT4 = 700;
const FLOAT8 = 701;
const JSON_OID = 114;
const JSONB = 3802;

// Built-in array types and their element types (pg_type.typelem); other arrays stay text.
const ARRAY_ELEMENTS = new Map<number, number>([
  [1000, BOOL],
  [1005, INT2],
  [1007, INT4],
  [1021, FLOAT4],
  [1022, FLOAT8],
  [199, JSON_OID],
  [3807, JSONB],
  [1016, 20],
  [1231, 1700],
  [1009, 25],
  [1015, 1043],
  [1014, 1042],
  [2951, 2950],
  [1182, 1082],
  [1183, 1083],
  [1115, 1114],
  [1185, 1184],
  [1187, 1186],
  [1001, 17],
]);

/** A PostgreSQL text value as Neon's non-raw JSON output: bool, int2/4, floats, json as JSON. */
export function textToJson(text: string, typeId: number): unknown {
  const element = ARRAY_ELEMENTS.get(typeId);
  if (element !== undefined) return parseArray(text, element);
  switch (typeId) {
    case BOOL:
      return text === 't';
    case INT2:
    case INT4:
      return Number.parseInt(text, 10);
    case FLOAT4:
    case FLOAT8: {
      const value = Number(text);
      // NaN and the infinities stay strings, as JSON has no way to write them.
      return Number.isFinite(value) ? value : text;
    }
    case JSON_OID:
    case JSONB:
      return JSON.parse(text);
    default:
      return text;
  }
}

function parseArray(text: string, element: number): unknown[] {
  // Bounds decoration such as `[0:1]={1,2}` has no JSON form; Neon drops it too.
  const body = text.startsWith('[') ? text.slice(text.indexOf('=') + 1) : text;
  let index = 0;
  const readItem = (): unknown => {
    if (body[index] === '{') return readList();
    if (body[index] === '"') {
      let value = '';
      index += 1;
      while (index < body.length && body[index] !== '"') {
        if (body[index] === '\\') index += 1;
        value += body[index] ?? '';
        index += 1;
      }
      index += 1;
      return textToJson(value, element);
    }
    const start = index;
    while (index < body.length && body[index] !== ',' && body[index] !== '}') index += 1;
    const raw = body.slice(start, index).trim();
    return raw === 'NULL' ? null : textToJson(raw, element);
  };
  const readList = (): unknown[] => {
    const items: unknown[] = [];
    index += 1;
    if (body[index] === '}') {
      index += 1;
      return items;
    }
    for (;;) {
      items.push(readItem());
      const separator = body[index];
      index += 1;
      if (separator !== ',') return items;
    }
  };
  return readList();
}
