import { describe, expect, it } from 'vitest';
import { complete } from '../../src/cli/completer.js';
import { SAMPLE_CATALOG } from './in-memory-connection.js';

const hits = (before: string, statement = before) => complete(before, statement, SAMPLE_CATALOG)[0];

describe('complete', () => {
  it('completes table names after FROM and JOIN, and keywords after a table', () => {
    expect(hits('SELECT * FROM acc')).toEqual(['account']);
    expect(hits('SELECT * FROM account a JOIN c')).toEqual(['contact']);
    expect(hits('SELECT * FROM sys_t')).toEqual(['sys_tablecolumns', 'sys_tables']);
    expect(hits('select * from account wher')).toEqual(['where']);
  });

  it('completes columns after table. and alias.', () => {
    expect(hits('SELECT account.n')).toEqual(['account.name', 'account.numberofemployees']);
    expect(hits('SELECT c.full', 'SELECT c.full FROM contact c')).toEqual(['c.fullname']);
    expect(hits('SELECT x.n', 'SELECT x.n FROM account AS x')).toEqual(['x.name', 'x.numberofemployees']);
  });

  it('completes columns of the tables the statement names in clauses that take columns', () => {
    expect(hits('SELECT re', 'SELECT re FROM account')).toEqual(['revenue']);
    expect(hits('SELECT name FROM account WHERE num')).toEqual(['numberofemployees']);
    expect(hits('SELECT name FROM account ORDER BY rev')).toEqual(['revenue']);
    expect(hits('SELECT email', 'SELECT email FROM contact')).toEqual(['emailaddress1']);
  });

  it('completes procedures after EXEC and keywords in the case being typed', () => {
    expect(hits('EXEC Wh')).toEqual(['WhoAmI']);
    expect(hits('sel')).toEqual(['select']);
    expect(hits('SEL')).toEqual(['SELECT']);
  });

  it('completes backslash commands and their arguments', () => {
    expect(hits('\\d')).toEqual(['\\d', '\\df', '\\dt']);
    expect(hits('\\d con')).toEqual(['contact']);
    expect(hits('\\format js')).toEqual(['json']);
    expect(hits('\\df Win')).toEqual(['WinOpportunity']);
  });

  it('offers keywords only when there is no catalog yet', () => {
    expect(complete('SELECT * FROM acc', 'SELECT * FROM acc', undefined)[0]).toEqual([]);
    expect(complete('SEL', 'SEL', undefined)[0]).toEqual(['SELECT']);
  });
});
