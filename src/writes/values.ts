/**
 * One value for one column → its JSON text in a request body, checked against the column's Edm
 * type and maximum length first, so a bad value fails before anything is sent.
 *
 * `jsonValue(nameColumn, 'Contoso')` → `"Contoso"`; `jsonValue(revenueColumn, '1234.50')` →
 * `1234.50` (decimals stay exact: written as number text, never through a float);
 * `jsonValue(nameColumn /* maxLength 160 *\/, 'x'.repeat(161))` throws DYNASQL_ERR_VALUE_TOO_LONG.
 */
import { hasLabelColumn } from '../catalog/index.js';
import type { Column, Table } from '../catalog/types.js';
import { DynasqlError } from '../errors/index.js';
import { odataLiteral } from '../odata/index.js';
import type { ChoiceLabels, InputValue } from './types.js';

function typeError(column: Column, value: InputValue, expected: string): DynasqlError {
  const shown = typeof value === 'string' ? `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'` : value instanceof Uint8Array ? 'binary' : String(value);
  return new DynasqlError('DYNASQL_ERR_TYPE', `Column '${column.name}' needs ${expected}; got ${shown}`);
}

/** `.5` → `0.5`, `5.` → `5`, `+007` → `7`: number text JSON accepts */
function jsonNumber(text: string): string {
  let s = text.trim().replace(/^\+/, '');
  const negative = s.startsWith('-');
  if (negative) s = s.slice(1);
  s = s.replace(/^0+(?=\d)/, '');
  if (s.startsWith('.')) s = `0${s}`;
  s = s.replace(/\.(?=$|[eE])/, '');
  return negative ? `-${s}` : s;
}

function scalarText(value: InputValue): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

export function jsonValue(column: Column, value: InputValue, labels?: ChoiceLabels, table?: Table): string {
  if (value === null) return 'null';
  const edm = column.edmType;
  switch (edm) {
    case 'Edm.String': {
      const text = typeof value === 'string' ? value : value instanceof Date ? value.toISOString()
        : typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' ? String(value) : undefined;
      if (text === undefined) throw typeError(column, value, 'text');
      const max = column.maxLength ?? column.sqlType.length;
      if (max !== undefined && text.length > max) {
        throw new DynasqlError('DYNASQL_ERR_VALUE_TOO_LONG', `The value for '${column.name}' is ${text.length} characters long; the column holds at most ${max}`);
      }
      return JSON.stringify(text);
    }
    case 'Edm.Guid': {
      if (typeof value !== 'string') throw typeError(column, value, 'a GUID');
      try {
        return JSON.stringify(odataLiteral(value, { edmType: edm }));
      } catch {
        throw typeError(column, value, 'a GUID');
      }
    }
    case 'Edm.Boolean':
      if (value === true || value === 1 || value === 1n || value === '1' || (typeof value === 'string' && value.toLowerCase() === 'true')) return 'true';
      if (value === false || value === 0 || value === 0n || value === '0' || (typeof value === 'string' && value.toLowerCase() === 'false')) return 'false';
      throw typeError(column, value, 'true/false (1/0)');
    case 'Edm.Int16': case 'Edm.Int32': case 'Edm.Int64': case 'Edm.Byte': case 'Edm.SByte': {
      const label = typeof value === 'string' && !/^\s*[+-]?\d+\s*$/.test(value) ? choiceValue(column, value, labels, table) : undefined;
      if (label !== undefined) return String(label);
      const text = scalarText(value);
      if (text === undefined || !/^\s*[+-]?\d+\s*$/.test(text)) throw typeError(column, value, 'a whole number');
      const n = BigInt(text.trim());
      const limits: Record<string, [bigint, bigint]> = {
        'Edm.Int16': [-32768n, 32767n], 'Edm.Int32': [-2147483648n, 2147483647n], 'Edm.Byte': [0n, 255n], 'Edm.SByte': [-128n, 127n],
        'Edm.Int64': [-9223372036854775808n, 9223372036854775807n],
      };
      const [lo, hi] = limits[edm]!;
      if (n < lo || n > hi) throw typeError(column, value, `a whole number from ${lo} to ${hi}`);
      return n.toString();
    }
    case 'Edm.Decimal': case 'Edm.Double': case 'Edm.Single': {
      const text = scalarText(value);
      if (text === undefined || !/^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(text)) throw typeError(column, value, 'a number');
      checkMagnitude(column, text, value);
      return jsonNumber(text);
    }
    case 'Edm.DateTimeOffset': case 'Edm.Date': {
      if (!(typeof value === 'string' || value instanceof Date)) throw typeError(column, value, edm === 'Edm.Date' ? 'a date' : 'a date and time');
      try {
        return JSON.stringify(odataLiteral(value, { edmType: edm }));
      } catch {
        throw typeError(column, value, edm === 'Edm.Date' ? 'a date (YYYY-MM-DD)' : 'a date and time (ISO 8601)');
      }
    }
    case 'Edm.Binary':
      if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
      throw typeError(column, value, 'binary data');
    default:
      if (column.enumType || column.options) return JSON.stringify(enumMember(column, value));
      throw new DynasqlError('DYNASQL_ERR_TYPE', `Column '${column.name}' has type ${edm}, which dynasql cannot write`);
  }
}

/** the largest value of .NET's System.Decimal, which Edm.Decimal is on both services: 2^96 - 1 */
const MAX_DECIMAL = 79228162514264337593543950335n;
/** money (Dataverse's currency columns, SQL Server's money): ±922,337,203,685,477.5807 */
const MAX_MONEY = 922337203685477n;
/** the largest finite Edm.Single */
const MAX_SINGLE = 3.4028234663852886e38;

/**
 * A number the column's type cannot hold is refused before sending (`1e309` for a Double is
 * infinity; a money amount past ±922,337,203,685,477; a decimal past its declared precision less its
 * scale, or past 2^96): the service would refuse it, or worse, store something else.
 */
function checkMagnitude(column: Column, text: string, value: InputValue): void {
  const edm = column.edmType;
  if (edm === 'Edm.Double' || edm === 'Edm.Single') {
    const n = Math.abs(Number(text));
    const max = edm === 'Edm.Double' ? Number.MAX_VALUE : MAX_SINGLE;
    if (!Number.isFinite(n) || n > max) throw typeError(column, value, `a number the column's type (${edm}) can hold: at most ${max} in magnitude`);
    return;
  }
  const whole = integerPart(text);
  if (column.sqlType.name === 'money' && whole > MAX_MONEY) throw typeError(column, value, `a money amount of at most ${MAX_MONEY}.5807 in magnitude`);
  const digits = whole === 0n ? 0 : whole.toString().length;
  const precision = typeof column.precision === 'number' ? column.precision : column.sqlType.name === 'decimal' ? column.sqlType.precision : undefined;
  const scale = typeof column.scale === 'number' ? column.scale : column.sqlType.name === 'decimal' ? column.sqlType.scale ?? 0 : 0;
  if (precision !== undefined && digits > precision - scale) {
    throw typeError(column, value, `a number of at most ${precision - scale} digits before the decimal point (decimal(${precision}, ${scale}))`);
  }
  if (whole > MAX_DECIMAL) throw typeError(column, value, `a number the column's type (Edm.Decimal) can hold: at most ${MAX_DECIMAL} in magnitude`);
}

/** |x| rounded toward zero, exactly, from number text with an optional exponent (`1.5e3` → 1500n) */
function integerPart(text: string): bigint {
  const m = /^\s*[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text)!;
  const all = `${m[1] ?? ''}${m[2] ?? ''}`;
  const zeros = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(zeros);
  if (digits === '') return 0n;
  // where the decimal point sits among the significant digits: `0.05e3` → digits '5', point 2 → 50
  const point = (m[1] ?? '').length + Number(m[3] ?? 0) - zeros;
  if (point <= 0) return 0n;
  // a point past any column's reach: no need to build a number of a million digits to know it is too big
  if (point > 400) return MAX_DECIMAL * 10n;
  return BigInt(point >= digits.length ? digits + '0'.repeat(point - digits.length) : digits.slice(0, point));
}

/**
 * A Dataverse choice given by its label (`industrycode = 'Accounting'`): the value from the labels
 * the runner loaded. Undefined when the column is not a choice (the caller reports a type error).
 */
function choiceValue(column: Column, label: string, labels: ChoiceLabels | undefined, table: Table | undefined): number | undefined {
  if (!table || !hasLabelColumn(table, column)) return undefined;
  const known = labels?.get(column.name.toLowerCase());
  const entry = known?.get(label.trim().toLowerCase());
  if (entry !== undefined) return entry.value;
  const names = known ? [...known.values()].slice(0, 12).map((l) => `'${l.label}'`).join(', ') : '';
  throw new DynasqlError('DYNASQL_ERR_TYPE', `'${label}' is not a label of choice '${column.name}'${names ? ` (labels in use: ${names})` : ''}; give the label exactly or the number`);
}


/** F&O enum: the member name, given its name, its label or its number */
function enumMember(column: Column, value: InputValue): string {
  const text = scalarText(value) ?? (typeof value === 'boolean' ? (value ? 'Yes' : 'No') : undefined);
  if (text === undefined) throw typeError(column, value, 'an enum member name');
  const options = column.options ?? [];
  const wanted = text.trim().toLowerCase();
  const hit = options.find((o) => String(o.value).toLowerCase() === wanted) ?? options.find((o) => o.label.toLowerCase() === wanted);
  if (hit) return String(hit.value);
  if (options.length === 0 && /^[A-Za-z_]\w*$/.test(text)) return text;
  throw typeError(column, value, `one of ${options.map((o) => o.value).join(', ')}`);
}
