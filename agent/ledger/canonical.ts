/**
 * Canonical JSON: the one byte string an event is hashed as, so that anyone can recompute it.
 *
 *   - objects: members sorted by key, comparing keys as sequences of UTF-16 code units (the
 *     default order of JavaScript's Array.prototype.sort, as in RFC 8785); members whose value
 *     is `undefined` are left out;
 *   - arrays: elements in order;
 *   - strings (keys and values): exactly as JSON.stringify writes them — `"` and `\` escaped,
 *     \b \f \n \r \t as such, other U+0000–U+001F as \u00xx (lowercase hex), a lone surrogate
 *     as \udxxx, every other character as itself;
 *   - numbers: as JSON.stringify writes them (shortest round-trip form, -0 as 0); NaN and
 *     ±Infinity are refused;
 *   - true, false, null as such; no whitespace anywhere;
 *   - anything else (undefined in an array, bigint, functions, Date, Buffer, class instances)
 *     and nesting deeper than MAX_DEPTH are refused.
 *
 * The result is then encoded as UTF-8. Because lone surrogates are escaped, the text is always
 * valid Unicode and survives SQLite and any JSON parser unchanged.
 */

export const MAX_DEPTH = 256;

export class CanonicalJsonError extends Error {
  constructor(readonly where: string, reason: string) {
    super(`canonical JSON: ${where || '(top)'}: ${reason}`);
  }
}

export function canonicalJson(value: unknown): string {
  return encode(value, '', 0);
}

function encode(value: unknown, where: string, depth: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(where, `${value} is not a finite number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(where, `a ${typeof value} has no JSON form`);
  }
  if (value === null) return 'null';
  if (depth >= MAX_DEPTH) throw new CanonicalJsonError(where, `nested deeper than ${MAX_DEPTH}`);
  if (Array.isArray(value)) {
    const items = value.map((item, i) => {
      if (item === undefined) throw new CanonicalJsonError(`${where}[${i}]`, 'undefined in an array');
      return encode(item, `${where}[${i}]`, depth + 1);
    });
    return `[${items.join(',')}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new CanonicalJsonError(where, `a ${proto?.constructor?.name ?? 'non-plain'} object has no canonical form`);
  }
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    members.push(`${JSON.stringify(key)}:${encode(item, where ? `${where}.${key}` : key, depth + 1)}`);
  }
  return `{${members.join(',')}}`;
}
