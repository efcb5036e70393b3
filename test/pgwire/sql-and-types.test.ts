import { describe, expect, it } from 'vitest';
import { catalogMirrorDdl, schemaNameForOrg } from '../../src/pgwire/catalog-mirror.js';
import { OID, decodeNumericBinary, decodeParameter, encodeBinary, encodeNumericBinary, encodeText, pgTypeOf } from '../../src/pgwire/pg-types.js';
import { leadingWords, splitStatements, stripSchemaQualifiers } from '../../src/pgwire/sql-text.js';
import { commandTag } from '../../src/pgwire/statement-results.js';
import { fakeCatalog } from './fake-connection.js';

describe('SQL text', () => {
  it('splits statements at top-level semicolons only', () => {
    expect(splitStatements("select ';' ; select \"a;b\" from t; -- c;\n select $x$;$x$;; /* ; /* ; */ */ select E'\\';'")).toEqual([
      "select ';'",
      'select "a;b" from t',
      '-- c;\n select $x$;$x$',
      "/* ; /* ; */ */ select E'\\';'",
    ]);
    expect(splitStatements(' ; -- only a comment\n')).toEqual([]);
  });

  it('reads leading words past comments', () => {
    expect(leadingWords('/* hi */ Begin  -- x\n Work', 3)).toEqual(['begin', 'work']);
    expect(leadingWords('(select 1)')).toEqual([]);
  });

  it('drops qualifiers naming the org schema or public, and nothing else', () => {
    expect(stripSchemaQualifiers('select a.name, emulator.account.revenue from emulator.account a join "public"."contact" c on true', ['emulator', 'public'])).toBe(
      'select a.name, account.revenue from account a join "contact" c on true',
    );
    expect(stripSchemaQualifiers("select 'emulator.account', pg_catalog.version()", ['emulator', 'public'])).toBe("select 'emulator.account', pg_catalog.version()");
  });
});

describe('Postgres types for Dynamics columns', () => {
  it('maps SQL types to DDL, OID and typmod', () => {
    expect(pgTypeOf({ name: 'uniqueidentifier' })).toEqual({ ddl: 'uuid', oid: OID.uuid, typeModifier: -1 });
    expect(pgTypeOf({ name: 'nvarchar', length: 160 })).toEqual({ ddl: 'varchar(160)', oid: OID.varchar, typeModifier: 164 });
    expect(pgTypeOf({ name: 'nvarchar' })).toEqual({ ddl: 'text', oid: OID.text, typeModifier: -1 });
    expect(pgTypeOf({ name: 'decimal', precision: 19, scale: 4 })).toEqual({ ddl: 'numeric(19,4)', oid: OID.numeric, typeModifier: ((19 << 16) | 4) + 4 });
    expect(pgTypeOf({ name: 'money' }).ddl).toBe('numeric');
    expect(['int', 'bigint', 'smallint', 'tinyint', 'float', 'bit', 'datetimeoffset', 'datetime2', 'date', 'varbinary'].map((name) => pgTypeOf({ name }).oid)).toEqual([
      OID.int4, OID.int8, OID.int2, OID.int2, OID.float8, OID.bool, OID.timestamptz, OID.timestamptz, OID.date, OID.bytea,
    ]);
  });

  it('encodes values in text format', () => {
    expect(encodeText(OID.timestamptz, new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 60)))).toBe('2024-01-02 03:04:05.06+00');
    expect(encodeText(OID.timestamptz, '2024-01-02T03:04:05Z')).toBe('2024-01-02 03:04:05+00');
    expect(encodeText(OID.date, '2024-01-02T00:00:00Z')).toBe('2024-01-02');
    expect(encodeText(OID.bool, true)).toBe('t');
    expect(encodeText(OID.uuid, 'ABCDEF00-0000-0000-0000-000000000001')).toBe('abcdef00-0000-0000-0000-000000000001');
    expect(encodeText(OID.bytea, new Uint8Array([1, 255]))).toBe('\\x01ff');
    expect(encodeText(OID.float8, Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(encodeText(OID.int8, 9007199254740993n)).toBe('9007199254740993');
    const numeric19x4 = ((19 << 16) | 4) + 4;
    expect([encodeText(OID.numeric, 5, numeric19x4), encodeText(OID.numeric, '12.5', numeric19x4), encodeText(OID.numeric, 0.25, numeric19x4), encodeText(OID.numeric, '7')]).toEqual([
      '5.0000', '12.5000', '0.2500', '7',
    ]);
    expect(decodeNumericBinary(encodeBinary(OID.numeric, 5, numeric19x4))).toBe('5.0000');
  });

  it('encodes numeric in binary as Postgres does', () => {
    // 1234.5600 → ndigits 2, weight 0, sign +, dscale 4, digits [1234, 5600]
    expect(encodeNumericBinary('1234.5600').toString('hex')).toBe('0002' + '0000' + '0000' + '0004' + '04d2' + '15e0');
    expect(encodeNumericBinary('-0.0001').toString('hex')).toBe('0001' + 'ffff' + '4000' + '0004' + '0001');
    expect(encodeNumericBinary('0').toString('hex')).toBe('0000000000000000');
    for (const text of ['1234.5600', '-0.0001', '0', '100000000', '12345678901234567890.123', '-7', '0.50']) {
      expect(decodeNumericBinary(encodeNumericBinary(text))).toBe(text === '0' ? '0' : text);
    }
    expect(decodeNumericBinary(encodeNumericBinary('1.5e3'))).toBe('1500');
  });

  it('encodes binary values and decodes binary parameters back', () => {
    const cases: [number, unknown][] = [
      [OID.bool, true], [OID.int2, -3], [OID.int4, 123456], [OID.int8, 42], [OID.float8, 1.25],
      [OID.uuid, '00000000-0000-0000-0000-00000000000a'], [OID.text, 'héllo'], [OID.date, '2024-02-29'],
    ];
    for (const [oid, value] of cases) expect(decodeParameter(oid, 1, encodeBinary(oid, value as never))).toEqual(value);
    const when = new Date(Date.UTC(2024, 5, 1, 8, 0, 0, 123));
    expect(decodeParameter(OID.timestamptz, 1, encodeBinary(OID.timestamptz, when))).toEqual(when);
    expect(encodeBinary(OID.timestamptz, new Date(Date.UTC(2000, 0, 1, 0, 0, 1))).toString('hex')).toBe('00000000000f4240');
  });

  it('intervals: OID 1186, PostgreSQL\'s output text, and the binary form (int64 µs, int32 days, int32 months)', () => {
    expect(pgTypeOf({ name: 'interval' })).toEqual({ ddl: 'interval', oid: OID.interval, typeModifier: -1 });
    // the local engine hands intervals out in PostgreSQL's output style; a parameter may be any input text
    expect(encodeText(OID.interval, '1 year 2 mons 3 days 04:05:06.5')).toBe('1 year 2 mons 3 days 04:05:06.5');
    expect(encodeText(OID.interval, '90 minutes')).toBe('01:30:00');
    expect(encodeText(OID.interval, '-1 days +00:00:01')).toBe('-1 days +00:00:01');
    // '1 mon 2 days 00:00:03' → micros 3,000,000, days 2, months 1
    expect(encodeBinary(OID.interval, '1 mon 2 days 00:00:03').toString('hex')).toBe('00000000002dc6c0' + '00000002' + '00000001');
    expect(decodeParameter(OID.interval, 1, encodeBinary(OID.interval, '-2 years 5 days -01:00:00'))).toBe('-2 years +5 days -01:00:00');
    expect(() => encodeText(OID.interval, 'soon')).toThrow(/not an interval/);
  });

  it('decodes text parameters by type', () => {
    const t = (oid: number, s: string) => decodeParameter(oid, 0, Buffer.from(s));
    expect(t(OID.int4, '42')).toBe(42);
    expect(t(OID.int8, '9007199254740993')).toBe(9007199254740993n);
    expect(t(OID.numeric, '1000.50')).toBe(1000.5);
    expect(t(OID.numeric, '12345678901234567.89')).toBe('12345678901234567.89');
    expect(t(OID.bool, 'true')).toBe(true);
    expect(t(OID.timestamptz, '2024-01-02 03:04:05+00')).toEqual(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)));
    expect(t(OID.varchar, 'x')).toBe('x');
    expect(decodeParameter(OID.int4, 0, null)).toBeNull();
    expect(() => decodeParameter(OID.int4, 1, Buffer.from([1, 2]))).toThrow(/must be 4 bytes/);
  });

  it('names command tags as Postgres does', () => {
    expect([commandTag('SELECT', 3), commandTag('INSERT', 1), commandTag('UPDATE', 2), commandTag('DELETE', 0), commandTag('EXEC', 0)]).toEqual([
      'SELECT 3', 'INSERT 0 1', 'UPDATE 2', 'DELETE 0', 'CALL',
    ]);
  });
});

describe('catalog mirror', () => {
  it('derives the schema name from the org URL', () => {
    expect(schemaNameForOrg('https://contoso.crm4.dynamics.com/')).toBe('contoso');
    expect(schemaNameForOrg('https://My-Org.crm.dynamics.com')).toBe('my_org');
    expect(schemaNameForOrg('http://127.0.0.1:5555/')).toBe('emulator');
    expect(schemaNameForOrg('https://public.crm.dynamics.com')).toBe('public_org');
    expect(schemaNameForOrg('https://9lives.crm.dynamics.com')).toBe('org_9lives');
  });

  it('writes tables with types, keys, foreign keys and comments in the org schema and public', () => {
    const { tables, procedures } = catalogMirrorDdl(fakeCatalog, 'emulator');
    expect(tables).toContain('CREATE SCHEMA "emulator";');
    expect(tables).toContain('CREATE TABLE "emulator"."account" (\n  "accountid" uuid NOT NULL,\n  "name" varchar(160),\n  "revenue" numeric(19,4),');
    expect(tables).toContain('CONSTRAINT "account_pkey" PRIMARY KEY ("accountid")');
    expect(tables).toContain('ALTER TABLE "public"."account" ADD CONSTRAINT "account_primarycontactid_fkey" FOREIGN KEY ("primarycontactid") REFERENCES "public"."contact" ("contactid");');
    expect(tables).toContain(`COMMENT ON TABLE "emulator"."account" IS 'Business that represents a customer or potential customer.';`);
    expect(tables).toContain(`COMMENT ON COLUMN "public"."account"."name" IS 'Company name';`);
    expect(procedures).toEqual([
      'CREATE PROCEDURE "emulator"."WinOpportunity"("Status" integer) LANGUAGE sql AS $dynasql$ $dynasql$;',
      'CREATE PROCEDURE "public"."WinOpportunity"("Status" integer) LANGUAGE sql AS $dynasql$ $dynasql$;',
    ]);
  });

  it('quotes names and comments so catalog text cannot break out of the DDL', () => {
    const hostile = structuredClone(fakeCatalog);
    hostile.tables[1]!.name = 'x"; drop table y; --';
    hostile.tables[1]!.description = "it's";
    const { tables } = catalogMirrorDdl(hostile, 'emulator');
    expect(tables).toContain('CREATE TABLE "emulator"."x""; drop table y; --" (');
    expect(tables).toContain(`IS 'it''s';`);
  });
});
