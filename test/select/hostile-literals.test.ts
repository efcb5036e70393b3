/**
 * A hostile literal (quotes, `%`, `&`, `#`, `+`, ` eq `, `*`, brackets, unicode) can never change a
 * filter's meaning. Pure properties: whatever the string, the `$filter` the service decodes is
 * exactly one comparison with exactly that string. End to end: accounts named with hostile strings
 * are found by `=`, `LIKE` and `IN` exactly as a local evaluation finds them, push-down on or off.
 */
import fc from 'fast-check';
import * as oracle from 'odata-v4-parser';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { planFor, requestsOf } from '../translate/translate.js';

const HOSTILE = [
  "O'Brien", "''", "'", "' or name ne '", "x') or (name ne 'y", '100% sure', '50%', 'a_b', '[abc]', 'A&B', '#hash', 'a+b', 'a b  c',
  'x eq x', 'name eq null', '*star*', 'semi;colon', 'eq=sign', '"double"', 'back\\slash', 'Zürich', '東京', '😀 emoji', 'tab\there', '%27',
  '%%', '&$filter=true', '?q=1', 'ends with space ',
];

const hostileString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc.constantFrom(...HOSTILE),
  fc.array(fc.constantFrom("'", '%', '&', '#', '+', ' ', 'eq', 'or', '(', ')', ',', '*', '_', '[', ']', 'ü', '"', ';', '='), { maxLength: 12 }).map((parts) => parts.join('')),
);

function filterOf(url: string): string {
  const match = /[?&]\$filter=([^&]*)/.exec(url);
  return match ? decodeURIComponent(match[1]!) : '';
}

function quoted(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** what is sent for a compared string: T-SQL ignores trailing blanks, so they are trimmed (issue 23.9) */
function sent(s: string): string {
  return s.replace(/ +$/, '');
}

describe('hostile literals in the URL (pure)', () => {
  it('= sends exactly one comparison with exactly the string', () => {
    fc.assert(fc.property(hostileString, (s) => {
      const [url] = requestsOf(planFor('dataverse', 'SELECT name FROM account WHERE name = @p', { p: s }));
      expect(url).not.toMatch(/[\s#]/);
      expect(filterOf(url!)).toBe(`name eq ${quoted(sent(s))}`);
      // the decoded filter parses as one comparison that consumes the whole text
      const text = `name eq ${[...quoted(sent(s))].map((c) => (c === "'" ? c : encodeURIComponent(c))).join('')}`;
      const ast = oracle.filter(text) as { type: string; next: number };
      expect(ast.type).toBe('EqualsExpression');
      expect(ast.next).toBe(text.length);
    }), { numRuns: 300 });
  });

  it('LIKE prefix/suffix/infix sends the string inside one function call, or stays local', () => {
    fc.assert(fc.property(hostileString, fc.constantFrom('prefix', 'suffix', 'infix'), (s, shape) => {
      const pattern = shape === 'prefix' ? `${s}%` : shape === 'suffix' ? `%${s}` : `%${s}%`;
      const plan = planFor('dataverse', 'SELECT name FROM account WHERE name LIKE @p', { p: pattern });
      const filter = filterOf(requestsOf(plan)[0]!);
      if (/[%_[]/.test(s) || s === '') {
        // s holds SQL wildcards: either nothing is sent, or a call whose value holds none of them
        const call = /^(?:startswith|endswith|contains)\(name,'((?:[^']|'')*)'\)$|^name eq '((?:[^']|'')*)'$/.exec(filter);
        expect(filter === '' || filter === 'name ne null' || (call !== null && !/[%_[]/.test(call[1] ?? call[2] ?? ''))).toBe(true);
        return;
      }
      const fn = shape === 'prefix' ? 'startswith' : shape === 'suffix' ? 'endswith' : 'contains';
      expect(filter).toBe(`${fn}(name,${quoted(s)})`);
    }), { numRuns: 300 });
  });

  it('IN sends each string as one JSON array element', () => {
    fc.assert(fc.property(fc.array(hostileString, { minLength: 2, maxLength: 4 }), (values) => {
      const params = Object.fromEntries(values.map((v, i) => [`p${i}`, v]));
      const sql = `SELECT name FROM account WHERE address1_city IN (${values.map((_, i) => `@p${i}`).join(', ')})`;
      const filter = filterOf(requestsOf(planFor('dataverse', sql, params))[0]!);
      if (values.some((v) => /[\u0000-\u001f]/.test(v))) {
        // control characters would need JSON escapes the service does not document: an or chain
        expect(filter).toBe(values.map((v) => `address1_city eq ${quoted(sent(v))}`).join(' or '));
        return;
      }
      const match = /^Microsoft\.Dynamics\.CRM\.In\(PropertyName='address1_city',PropertyValues=(\[.*\])\)$/s.exec(filter);
      expect(match).not.toBeNull();
      expect(JSON.parse(match![1]!)).toEqual(values.map(sent));
    }), { numRuns: 200 });
  });

  it('F&O: a string with * never reaches eq; others are exact', () => {
    fc.assert(fc.property(hostileString, (s) => {
      const plan = planFor('finops', 'SELECT CustomerAccount FROM CustomersV3 WHERE OrganizationName = @p', { p: s });
      const filter = filterOf(requestsOf(plan)[0]!);
      if (s.includes('*')) expect(filter).toBe('');
      else expect(filter).toBe(`OrganizationName eq ${quoted(sent(s))}`);
    }), { numRuns: 200 });
  });
});

describe('hostile literals end to end', () => {
  let emulator: RunningEmulator;
  let pushed: Connection;
  let local: Connection;
  const names: string[] = [];
  let everyName: string[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, rows: 10 });
    for (const name of HOSTILE) {
      const response = await request(`${emulator.url}accounts`, {
        method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ name }),
      });
      await response.body.dump();
      expect(response.statusCode).toBeLessThan(300);
      names.push(name);
    }
    pushed = await connect(`Url=${emulator.url}`);
    local = await connect(`Url=${emulator.url};Pushdown=false`);
    everyName = (await local.query('SELECT name FROM account')).rows.map((r) => String(r.name));
  });

  afterAll(async () => {
    await pushed?.close();
    await local?.close();
    await emulator?.close();
  });

  const sorted = (rows: { name?: unknown }[]) => rows.map((r) => String(r.name)).sort();

  it('=, LIKE and IN find the same accounts pushed down as locally, and no others', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...HOSTILE), fc.constantFrom('=', 'prefix', 'infix', 'in'), hostileString,
      async (name, op, other) => {
        // T-SQL reads [ % _ inside a LIKE pattern as wildcards ('[abc]%' is "starts with a, b or c"), so the
        // name is made literal the T-SQL way ('[[]abc]%') before it becomes a pattern
        const literal = name.replace(/[[%_]/g, (c) => `[${c}]`);
        const [sql, params] = op === '=' ? ['SELECT name FROM account WHERE name = @p', { p: name }]
          : op === 'prefix' ? ['SELECT name FROM account WHERE name LIKE @p', { p: `${literal}%` }]
            : op === 'infix' ? ['SELECT name FROM account WHERE name LIKE @p', { p: `%${literal}%` }]
              : ['SELECT name FROM account WHERE name IN (@p, @q)', { p: name, q: other }];
        const remote = await pushed.query(sql, params);
        const reference = await local.query(sql, params);
        expect(sorted(remote.rows)).toEqual(sorted(reference.rows));
        // the hostile account itself is always found
        expect(remote.rows.map((r) => r.name)).toContain(name);
        if (op === '=' || op === 'in') {
          // exactly the accounts with that name (case-insensitively, as the service compares): a leaked `or` would add others
          const wanted = new Set([name, ...(op === 'in' ? [other] : [])].map((n) => n.toLowerCase()));
          expect(sorted(remote.rows)).toEqual(everyName.filter((n) => wanted.has(n.toLowerCase())).sort());
        }
      },
    ), { numRuns: 60 });
  });
});
