/**
 * The pure parts of writes, no network: statement parsing (UPSERT, OUTPUT, RETURNING, OPTION) and
 * the lowering of rows to requests (bodies, binds, key URLs, value checks).
 */
import { describe, expect, it } from 'vitest';
import { parseEdmx } from '../../src/catalog/index.js';
import type { Table } from '../../src/catalog/types.js';
import { DATAVERSE_EDMX } from '../../src/emulator/metadata/dataverse-edmx.js';
import { DynasqlError } from '../../src/errors/index.js';
import { isWriteStatement, parseWrite } from '../../src/sql/write-parse.js';
import {
  createOperation, deleteOperation, findColumn, recordUrl, resolveWriteColumns, summarize, updateOperation, upsertKey,
  type Outcome, type WriteContext, type WriteOperation,
} from '../../src/writes/index.js';

const catalog = parseEdmx(DATAVERSE_EDMX, { edition: 'dataverse' });
const table = (name: string) => catalog.tables.find((t) => t.name === name)!;
const ctx = (t: Table, extra: Partial<WriteContext> = {}): WriteContext => ({
  table: t, tables: catalog.tables, edition: 'dataverse', labels: new Map(), headers: {}, crossCompany: false, newId: () => '11111111-2222-4333-8444-555555555555', ...extra,
});

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof DynasqlError ? e.code : 'not a DynasqlError';
  }
  return undefined;
}

describe('parseWrite', () => {
  it('recognises write statements by their first word, not by words in strings or comments', () => {
    expect(isWriteStatement('  -- note\n upsert into account (accountid) values (1)')).toBe(true);
    expect(isWriteStatement("SELECT 'DELETE FROM x' AS t")).toBe(false);
    expect(isWriteStatement('/* UPDATE */ SELECT 1')).toBe(false);
  });

  it('reads OUTPUT items (T-SQL) and leaves string contents alone', () => {
    const { statement } = parseWrite("INSERT INTO account (name) OUTPUT INSERTED.accountid AS id, INSERTED.* VALUES ('OUTPUT INSERTED.x')");
    expect(statement).toMatchObject({
      kind: 'insert', upsert: false, columns: ['name'],
      returning: [{ image: 'inserted', column: 'accountid', alias: 'id' }, { image: 'inserted' }],
      values: [[{ kind: 'literal', type: 'string', value: 'OUTPUT INSERTED.x' }]],
    });
    expect(parseWrite("DELETE FROM account OUTPUT DELETED.name WHERE name = 'a'").statement).toMatchObject({ kind: 'delete', returning: [{ image: 'deleted', column: 'name' }] });
  });

  it('reads quoted names and aliases in OUTPUT, and reports a bad clause at its position', () => {
    expect(parseWrite('INSERT INTO account (output) OUTPUT INSERTED.[name] n, INSERTED."x y" AS z VALUES (1)').statement).toMatchObject({
      columns: ['output'], returning: [{ image: 'inserted', column: 'name', alias: 'n' }, { image: 'inserted', column: 'x y', alias: 'z' }],
    });
    const error = (() => {
      try {
        parseWrite("INSERT INTO account (name) VALUES ('a') OPTION (ATOMIC,, KEY)");
      } catch (e) {
        return e as DynasqlError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('DYNASQL_ERR_SYNTAX');
    expect(error?.position?.column).toBe(56);
  });

  it('reads UPSERT INTO and OPTION hints', () => {
    const { statement, params } = parseWrite('UPSERT INTO account (accountnumber, name) VALUES (?, ?) OPTION (KEY accountnumber_key, INSERT_ONLY, ATOMIC, BYPASS_PLUGINS)');
    expect(statement).toMatchObject({ kind: 'insert', upsert: true, hints: { key: 'accountnumber_key', upsertMode: 'insertOnly', atomic: true, bypassPlugins: true } });
    expect(params).toEqual([0, 1]);
  });

  it('reads UPDATE … FROM joins and PostgreSQL RETURNING', () => {
    expect(parseWrite('UPDATE a SET a.name = c.fullname FROM account a JOIN contact c ON a.primarycontactid = c.contactid').statement).toMatchObject({
      kind: 'update', target: { name: 'a' }, set: [{ column: 'name', table: 'a' }], from: { kind: 'join', type: 'INNER' },
    });
    expect(parseWrite('UPDATE account SET name = $1 WHERE accountid = $2 RETURNING name', 'postgresql').statement).toMatchObject({ returning: [{ column: 'name', image: 'inserted' }] });
  });

  it('gives syntax errors a position in the user\'s text', () => {
    const error = (() => {
      try {
        parseWrite('INSERT INTO account (name) VALUES (');
      } catch (e) {
        return e as DynasqlError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('DYNASQL_ERR_SYNTAX');
  });
});

describe('lowering', () => {
  const account = table('account');
  const contact = table('contact');

  it('a create carries the client-generated key first, decimals as exact number text, dates in ISO form', () => {
    const columns = resolveWriteColumns(account, ['name', 'revenue', 'lastusedincampaign'], 'insert');
    const op = createOperation(ctx(account), columns, ['O\'Brien "&" Co', '000922337203685477.5800', '2024-02-29'], 0);
    expect(op).toMatchObject({ kind: 'create', method: 'POST', url: 'accounts', key: { accountid: '11111111-2222-4333-8444-555555555555' }, idempotent: true });
    expect(op.body).toBe('{"accountid":"11111111-2222-4333-8444-555555555555","name":"O\'Brien \\"&\\" Co","revenue":922337203685477.5800,"lastusedincampaign":"2024-02-29T00:00:00Z"}');
  });

  it('binds lookups to the target table of the value or of the …type column', () => {
    const columns = resolveWriteColumns(contact, ['parentcustomerid', 'parentcustomeridtype'], 'insert');
    const id = 'A1B2C3D4-0000-4000-8000-000000000001';
    expect(JSON.parse(createOperation(ctx(contact), columns, [id, 'contacts'], 0).body!)).toMatchObject({ 'parentcustomerid_contact@odata.bind': `/contacts(${id.toLowerCase()})` });
    const plain = resolveWriteColumns(contact, ['parentcustomerid'], 'insert');
    expect(JSON.parse(createOperation(ctx(contact), plain, [`account({${id}})`], 0).body!)).toMatchObject({ 'parentcustomerid_account@odata.bind': `/accounts(${id.toLowerCase()})` });
    expect(code(() => createOperation(ctx(contact), plain, [`lead(${id})`], 0))).toBe('DYNASQL_ERR_TYPE');
    // clearing a lookup on update binds null
    const update = updateOperation(ctx(contact), new Map([[findColumn(contact, 'contactid'), id]]), plain, [null], 0);
    expect(JSON.parse(update.body!)).toEqual({ 'parentcustomerid_account@odata.bind': null });
    expect(update.headers['If-Match']).toBe('*');
  });

  it('choice labels become their values from the loaded labels; an unknown label lists them as the org spells them', () => {
    const labels = new Map([['industrycode', new Map([['accounting', { value: 1, label: 'Accounting' }], ['consulting', { value: 3, label: 'Consulting' }]])]]);
    const columns = resolveWriteColumns(account, ['industrycode'], 'insert');
    expect(JSON.parse(createOperation(ctx(account, { labels }), columns, ['accounting'], 0).body!).industrycode).toBe(1);
    expect(code(() => createOperation(ctx(account, { labels }), columns, ['Farming'], 0))).toBe('DYNASQL_ERR_TYPE');
    expect(() => createOperation(ctx(account, { labels }), columns, ['Farming'], 0)).toThrow("'Farming' is not a label of choice 'industrycode' (labels in use: 'Accounting', 'Consulting')");
  });

  it('checks every value against its type before anything is built', () => {
    const cases: [string, unknown][] = [['numberofemployees', '12.5'], ['numberofemployees', 3_000_000_000], ['revenue', 'NaN'], ['creditonhold', 'maybe'],
      ['lastusedincampaign', '2023-02-30'], ['primarycontactid', 'x']];
    for (const [name, value] of cases) {
      expect(code(() => createOperation(ctx(account), resolveWriteColumns(account, [name], 'insert'), [value as never], 0)), `${name}=${String(value)}`).toBe('DYNASQL_ERR_TYPE');
    }
  });

  it('writes key URLs with every value as an escaped literal', () => {
    const id = findColumn(account, 'accountid');
    expect(recordUrl(account, new Map([[id, '{5B4CED1C-88E1-EE11-904C-6045BD05E9D4}']]))).toBe('accounts(5b4ced1c-88e1-ee11-904c-6045bd05e9d4)');
    const number = findColumn(account, 'accountnumber');
    expect(recordUrl(account, new Map([[number, "A/1'&#?"]]))).toBe("accounts(accountnumber='A%2F1''%26%23%3F')");
    expect(code(() => recordUrl(account, new Map([[id, "x') or (1 eq 1"]])))).toBe('DYNASQL_ERR_TYPE');
  });

  it('deletes by key, with the etag when optimistic', () => {
    const op = deleteOperation(ctx(account), new Map([[findColumn(account, 'accountid'), '5b4ced1c-88e1-ee11-904c-6045bd05e9d4']]), 3, { etag: 'W/"42"' });
    expect(op).toMatchObject({ method: 'DELETE', url: 'accounts(5b4ced1c-88e1-ee11-904c-6045bd05e9d4)', headers: { 'If-Match': 'W/"42"' }, row: 3 });
  });

  it('an UPSERT is identified by the primary key when given, else by an alternate key', () => {
    const withKey = resolveWriteColumns(account, ['accountid', 'name'], 'upsert');
    expect(upsertKey(account, withKey).map((c) => c.name)).toEqual(['accountid']);
    const altered: Table = { ...account, alternateKeys: [{ name: 'number_key', columns: ['accountnumber'] }] };
    const byAlt = resolveWriteColumns(altered, ['accountnumber', 'name'], 'upsert');
    expect(upsertKey(altered, byAlt).map((c) => c.name)).toEqual(['accountnumber']);
    expect(code(() => upsertKey(altered, byAlt, 'nope'))).toBe('DYNASQL_ERR_UNKNOWN_COLUMN');
  });
});

describe('summarize', () => {
  const op = (row: number): WriteOperation => ({ kind: 'create', method: 'POST', url: 'accounts', headers: {}, key: { accountid: String(row) }, row });
  const ops = [op(0), op(1), op(2)];
  const failed: Outcome = { state: 'failed', error: new DynasqlError('DYNASQL_ERR_DUPLICATE', 'exists') };
  const lost: Outcome = { state: 'unconfirmed', error: new DynasqlError('DYNASQL_ERR_NETWORK', 'reset') };
  const written: Outcome = { state: 'written' };

  it('counts only rows written; a missing row is 0 rows, not a failure', () => {
    expect(summarize('DELETE', ops, [written, { state: 'notFound' }, written], { atomic: false, continueOnError: false })).toEqual({ rowCount: 2 });
  });

  it('a row whose outcome is unknown is never reported as nothing written', () => {
    const error = (() => {
      try {
        summarize('INSERT', ops, [lost, failed, failed], { atomic: false, continueOnError: false });
      } catch (e) {
        return e as DynasqlError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('DYNASQL_ERR_PARTIAL_WRITE');
    expect(error?.details).toMatchObject({ written: 0, failed: 2, unconfirmed: 1 });
  });

  it('continue-on-error returns the failures, but not for an atomic statement', () => {
    expect(summarize('INSERT', ops, [written, failed, written], { atomic: false, continueOnError: true })).toMatchObject({ rowCount: 2, failures: [{ row: 1, code: 'DYNASQL_ERR_DUPLICATE', key: { accountid: '1' } }] });
    expect(() => summarize('INSERT', ops, [{ state: 'notAttempted' }, failed, { state: 'notAttempted' }], { atomic: true, continueOnError: true })).toThrow(/rolled back/);
  });
});
