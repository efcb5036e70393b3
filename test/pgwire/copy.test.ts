/**
 * `COPY … TO STDOUT` (issue 17): the statement's forms and Postgres' text and CSV output rules
 * (pure), then psql's COPY and `\copy` and the byte-level messages against the real driver on the
 * real emulator.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldDescription } from '../../src/pgwire/backend-messages.js';
import { copyHeader, copyRow, parseCopy, type CopyOptions } from '../../src/pgwire/copy-statement.js';
import { encodeFrontendMessage } from '../../src/pgwire/frontend-messages.js';
import { OID } from '../../src/pgwire/pg-types.js';
import { RawClient } from './raw-client.js';
import { errorOf, PASSWORD, startRealServer, USER, type RealServer } from './real-server.js';

const run = promisify(execFile);

describe('COPY statements (pure)', () => {
  const to = (sql: string) => {
    const parsed = parseCopy(sql);
    if (parsed.direction !== 'to') throw new Error('expected COPY TO');
    return parsed;
  };

  it('reads a query or a table with columns, and both spellings of the options', () => {
    expect(to('COPY (select name from account where name like $$a;b$$) TO STDOUT')).toMatchObject({ query: 'select name from account where name like $$a;b$$', options: { format: 'text', delimiter: '\t', null: '\\N', header: false } });
    expect(to('copy emulator.account (name, revenue) to stdout')).toMatchObject({ query: 'SELECT name, revenue FROM emulator.account' });
    expect(to('COPY account TO STDOUT WITH (FORMAT csv, HEADER, FORCE_QUOTE (name))').options).toMatchObject({ format: 'csv', header: true, delimiter: ',', null: '', quote: '"', escape: '"', forceQuote: ['name'] });
    expect(to("COPY account TO STDOUT WITH CSV HEADER DELIMITER AS ';' NULL AS 'NULL' FORCE QUOTE *").options).toMatchObject({ format: 'csv', header: true, delimiter: ';', null: 'NULL', forceQuote: '*' });
    expect(to("COPY account TO STDOUT (FORMAT text, DELIMITER E'|', HEADER false, ENCODING 'utf-8')").options).toMatchObject({ format: 'text', delimiter: '|', header: false });
    expect(to("COPY account TO STDOUT (DELIMITER E'\\t')").options.delimiter).toBe('\t');
    expect(parseCopy('COPY account FROM STDIN')).toEqual({ direction: 'from' });
  });

  it('refuses binary format, files, programs, options it does not know, and bad syntax, with codes', () => {
    expect(() => parseCopy('COPY account TO STDOUT (FORMAT binary)')).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL' }));
    expect(() => parseCopy("COPY account TO '/tmp/x'")).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL', message: expect.stringContaining('\\copy') }));
    expect(() => parseCopy("COPY account TO PROGRAM 'cat'")).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL' }));
    expect(() => parseCopy('COPY account TO STDOUT (FREEZE)')).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL', message: expect.stringContaining('FREEZE') }));
    expect(() => parseCopy("COPY account TO STDOUT (DELIMITER ',,')")).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_SYNTAX' }));
    expect(() => parseCopy('COPY (select 1 TO STDOUT')).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_SYNTAX' }));
    expect(() => parseCopy('COPY account TO STDOUT extra')).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL' }));
  });

  it('writes text and CSV lines as Postgres does: escapes, quoting, NULL, forced quotes, header', () => {
    const field = (name: string, typeOid: number, typeModifier = -1): FieldDescription => ({ name, tableOid: 0, columnNumber: 0, typeOid, typeSize: -1, typeModifier, format: 0 });
    const fields = [field('name', OID.varchar), field('revenue', OID.numeric, ((19 << 16) | 2) + 4), field('active', OID.bool)];
    const columns = fields.map((f) => ({ name: f.name, type: 'nvarchar' }));
    const line = (row: Record<string, unknown>, options: CopyOptions) => copyRow(row as never, columns as never, fields, options).toString('utf8');
    const text = to('COPY a TO STDOUT').options;
    const csv = to('COPY a TO STDOUT (FORMAT csv, HEADER)').options;
    expect(line({ name: 'a\tb\\c\nd', revenue: '12.5', active: true }, text)).toBe('a\\tb\\\\c\\nd\t12.50\tt\n');
    expect(line({ name: null, revenue: null, active: false }, text)).toBe('\\N\t\\N\tf\n');
    expect(line({ name: 'Fourth "Coffee", Inc.', revenue: 1, active: null }, csv)).toBe('"Fourth ""Coffee"", Inc.",1.00,\n');
    expect(line({ name: '', revenue: null, active: true }, csv)).toBe('"",,t\n');
    expect(line({ name: 'two\nlines', revenue: null, active: true }, to("COPY a TO STDOUT (FORMAT csv, FORCE_QUOTE *, NULL 'n/a')").options)).toBe('"two\nlines",n/a,"t"\n');
    expect(copyHeader(fields, csv).toString()).toBe('name,revenue,active\n');
    expect(copyHeader(fields, to('COPY a TO STDOUT (HEADER)').options).toString()).toBe('name\trevenue\tactive\n');
  });
});

describe('COPY against the emulator', () => {
  let real: RealServer;
  let dir: string;

  beforeAll(async () => {
    real = await startRealServer();
    dir = mkdtempSync(join(tmpdir(), 'pgwire-copy-'));
  }, 180_000);

  afterAll(async () => {
    await real?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const psql = (...commands: string[]) =>
    run('psql', ['-X', '-q', '-h', '127.0.0.1', '-p', String(real.server.port), '-U', USER, '-d', 'dynamics', '-v', 'ON_ERROR_STOP=1', ...commands.flatMap((c) => ['-c', c])], {
      env: { ...process.env, PGPASSWORD: PASSWORD, PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '20' },
      timeout: 60_000,
    });

  /** the rows the driver itself reads, as CSV lines the way Postgres writes them */
  async function expectedCsv(): Promise<string[]> {
    const { rows } = await real.conn.query('SELECT name, revenue, numberofemployees FROM account ORDER BY name, accountid', undefined, { dialect: 'postgresql' });
    const csv = (v: unknown) => (v === null ? '' : /[",\n\r]/.test(String(v)) || v === '' ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    return rows.map((r) => [r.name, r.revenue === null ? null : Number(r.revenue).toFixed(4), r.numberofemployees].map(csv).join(','));
  }

  it("psql's COPY … TO STDOUT and \\copy write every row, in CSV with a header and in text", async () => {
    const query = 'select name, revenue, numberofemployees from emulator.account order by name, accountid';
    const expected = await expectedCsv();
    expect(expected.length).toBeGreaterThan(20);
    const { stdout } = await psql(`COPY (${query}) TO STDOUT WITH (FORMAT csv, HEADER)`);
    expect(stdout.trimEnd().split('\n')).toEqual(['name,revenue,numberofemployees', ...expected]);
    const file = join(dir, 'accounts.csv');
    await psql(`\\copy (${query}) to '${file}' with csv header`);
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toEqual(['name,revenue,numberofemployees', ...expected]);
    // a catalog query is copied by the engine itself
    expect((await psql("COPY (select relname from pg_class where relname = 'pg_type') TO STDOUT")).stdout).toBe('pg_type\n');
    const textFile = join(dir, 'accounts.txt');
    await psql(`\\copy account (name, numberofemployees) to '${textFile}'`);
    const lines = readFileSync(textFile, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(expected.length);
    expect(lines.every((l) => l.split('\t').length === 2)).toBe(true);
  });

  it('sends CopyOutResponse, one CopyData per row, CopyDone and COPY n; COPY FROM and files are refused with codes', async () => {
    const c = await RawClient.login(real.server.port, USER, PASSWORD);
    try {
      c.send(encodeFrontendMessage({ type: 'Query', sql: 'copy (select name from account order by name limit 3) to stdout' }));
      const messages = await c.until('Z');
      expect(messages.map((m) => m.type).join('')).toBe('HdddcCZ');
      expect(messages.find((m) => m.type === 'C')!.body.toString()).toBe('COPY 3\0');
    } finally {
      c.socket.destroy();
    }
    const pg = await real.client();
    try {
      expect(await errorOf(pg.query('copy account from stdin'))).toMatchObject({ code: '0A000' });
      expect(await errorOf(pg.query("copy account to '/tmp/accounts'"))).toMatchObject({ code: '0A000' });
      await pg.query('set default_transaction_read_only = on');
      expect(await errorOf(pg.query('copy account from stdin'))).toMatchObject({ code: '25006' });
    } finally {
      await pg.end();
    }
  });
});
