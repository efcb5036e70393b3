/**
 * The bulk-INSERT fast path (src/sql/insert-values.ts) against node-sql-parser's path: on generated
 * statements, whenever the fast path accepts one, parseWrite gives the same result with it as without.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseValuesInsert } from '../../src/sql/insert-values.js';
import { rewriteQuestionMarks } from '../../src/sql/placeholders.js';
import { parseWrite } from '../../src/sql/write-parse.js';

type Dialect = 'tsql' | 'postgresql';

const gap = fc.constantFrom(' ', '  ', '\n', '\t', ' /* c */ ', ' -- c\n', '');
const spaced = (parts: string[], gaps: string[]) => parts.map((p, i) => `${p}${gaps[i] ?? ' '}`).join('');

/** values mostly in the fast path's shape, some outside it (which it must leave to node-sql-parser) */
function value(dialect: Dialect): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 12, unit: fc.constantFrom('a', 'Z', ' ', "'", 'é', '漢', '%', '-', '*', '/', ',', '(', ')', '?', '@', '0') })
      .map((s) => `'${s.replace(/'/g, "''")}'`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 6 }).map((s) => `${dialect === 'tsql' ? 'N' : ''}'${s.replace(/'/g, "''")}'`) },
    { weight: 3, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String) },
    { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String) },
    // long decimals, which node-sql-parser rounds and exact-numbers.ts restores
    { weight: 1, arbitrary: fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.integer({ min: 1, max: 6 })).map(([n, scale]) => {
      const digits = String(n).padStart(scale + 1, '0');
      return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    }) },
    { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 6 }), fc.boolean())
      .map(([n, scale, negative]) => `${negative ? '-' : ''}${(n / 10 ** Math.min(scale, 4)).toFixed(scale)}`) },
    { weight: 2, arbitrary: fc.constantFrom('NULL', 'null', 'TRUE', 'false') },
    { weight: 1, arbitrary: fc.constantFrom('007', '1e3', '.5', '1.', 'DEFAULT', "UPPER('x')", '1 + 2', '(3)', "'a\\b'") },
    { weight: 2, arbitrary: dialect === 'tsql' ? fc.constantFrom('@a', '@b', '@name_1', '$1', '$2') : fc.constantFrom('$1', '$2', '$3') },
  );
}

function statement(dialect: Dialect): fc.Arbitrary<string> {
  const name = fc.constantFrom('name', 'revenue', 'statecode', 'emailaddress1', 'x_1', 'Name2', ...(dialect === 'tsql' ? ['[full name]', '[name]'] : []));
  const target = fc.constantFrom('account', 'contact', 'dbo.account', ...(dialect === 'tsql' ? ['[account]'] : []));
  return fc.integer({ min: 1, max: 3 }).chain((width) => fc.record({
    verb: fc.constantFrom('INSERT INTO', 'insert into', 'UPSERT INTO'),
    target,
    columns: fc.array(name, { minLength: width, maxLength: width }),
    rows: fc.array(fc.array(value(dialect), { minLength: width, maxLength: width }), { minLength: 1, maxLength: 4 }),
    gaps: fc.array(gap, { minLength: 8, maxLength: 8 }),
    tail: fc.constantFrom('', ';', ' ;  ', ' OPTION (ATOMIC)', ...(dialect === 'tsql' ? [' -- end'] : [' RETURNING name'])),
  })).map(({ verb, target, columns, rows, gaps, tail }) => {
    const tuples = rows.map((r) => `(${r.join(`,${gaps[3]}`)})`).join(`,${gaps[4]}`);
    return spaced([verb, target, `(${columns.join(`,${gaps[2]}`)})`, 'VALUES', tuples], gaps) + tail;
  });
}

describe('the bulk-INSERT fast path', () => {
  for (const dialect of ['tsql', 'postgresql'] as const) {
    it(`gives what node-sql-parser's path gives, on every statement it accepts (${dialect})`, () => {
      let accepted = 0;
      let runs = 0;
      fc.assert(fc.property(statement(dialect), (sql) => {
        runs++;
        let slow: ReturnType<typeof parseWrite> | undefined;
        try {
          slow = parseWrite(sql, dialect, { fastPath: false });
        } catch (error) {
          // two long decimals the parser rounds alike: the ordinary path refuses them, the fast path reads both exactly
          if (/cannot be told apart/.test(String(error))) return;
          slow = undefined;
        }
        let text: string;
        try {
          text = rewriteQuestionMarks(sql.replace(/^\s*upsert/i, 'INSERT').replace(/ OPTION \(ATOMIC\)$/, '')).sql;
        } catch {
          return; // mixed ? and $n: refused before either parser runs
        }
        if (!parseValuesInsert(text, dialect)) return;
        accepted++;
        expect(slow, `node-sql-parser refused what the fast path accepted: ${sql}`).toBeDefined();
        expect(parseWrite(sql, dialect)).toEqual(slow);
      }), { numRuns: 400, seed: 20261126 });
      // the generator is built so that most statements are in the fast path's shape
      expect(accepted / runs).toBeGreaterThan(0.3);
    });
  }

  it('reads a 10,000-row VALUES list, and leaves other shapes to the ordinary path', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => `('n${i}', ${i}.5, @p)`).join(', ');
    const parsed = parseValuesInsert(`INSERT INTO account (name, revenue, description) VALUES ${rows}`, 'tsql')!;
    expect(parsed.values).toHaveLength(10_000);
    expect(parsed.values[9_999]).toEqual([{ kind: 'literal', type: 'string', value: 'n9999' }, { kind: 'literal', type: 'number', value: '9999.5' }, { kind: 'param', ref: 'p' }]);
    expect(parsed.params).toEqual(['p']);
    for (const sql of [
      'INSERT INTO account VALUES (1)',
      "INSERT INTO account (name) VALUES (UPPER('x'))",
      "INSERT INTO account (name) SELECT name FROM contact",
      "INSERT INTO account (name) VALUES ('a') RETURNING name",
      "INSERT INTO account (name) VALUES ('a\\b')",
      'INSERT INTO account (name) VALUES (@p)',
    ]) {
      expect(parseValuesInsert(sql, 'postgresql'), sql).toBeUndefined();
    }
  });
});
