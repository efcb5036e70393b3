import { describe, expect, it } from 'vitest';
import { parseTransactionControl } from '../../src/sql/transaction-parse.js';

describe('parseTransactionControl', () => {
  it('reads the T-SQL forms', () => {
    expect(parseTransactionControl('BEGIN TRAN')).toEqual({ action: 'begin' });
    expect(parseTransactionControl('begin transaction load1;')).toEqual({ action: 'begin', name: 'load1' });
    expect(parseTransactionControl('COMMIT TRANSACTION Load1')).toEqual({ action: 'commit', name: 'load1' });
    expect(parseTransactionControl('SAVE TRAN [s 1]')).toEqual({ action: 'savepoint', name: 's 1' });
    expect(parseTransactionControl('ROLLBACK TRAN s1')).toEqual({ action: 'rollback', name: 's1' });
    expect(parseTransactionControl('ROLLBACK')).toEqual({ action: 'rollback' });
  });

  it('reads the PostgreSQL forms, with modes', () => {
    expect(parseTransactionControl('begin')).toEqual({ action: 'begin' });
    expect(parseTransactionControl('BEGIN ISOLATION LEVEL READ COMMITTED, READ ONLY')).toEqual({ action: 'begin', readOnly: true });
    expect(parseTransactionControl('start transaction read write')).toEqual({ action: 'begin', readOnly: false });
    expect(parseTransactionControl('BEGIN WORK DEFERRABLE')).toEqual({ action: 'begin' });
    expect(parseTransactionControl('end')).toEqual({ action: 'commit' });
    expect(parseTransactionControl('commit work')).toEqual({ action: 'commit' });
    expect(parseTransactionControl('abort')).toEqual({ action: 'rollback' });
    expect(parseTransactionControl('SAVEPOINT "Sp"')).toEqual({ action: 'savepoint', name: 'sp' });
    expect(parseTransactionControl('rollback to savepoint sp')).toEqual({ action: 'rollbackTo', name: 'sp' });
    expect(parseTransactionControl('ROLLBACK WORK TO sp')).toEqual({ action: 'rollbackTo', name: 'sp' });
    expect(parseTransactionControl('release savepoint sp')).toEqual({ action: 'release', name: 'sp' });
    expect(parseTransactionControl('/* c */ release sp -- done')).toEqual({ action: 'release', name: 'sp' });
  });

  it('leaves everything else to the other parsers', () => {
    for (const sql of ['SELECT 1', 'BEGIN SELECT 1 END', 'begin foo bar', 'ENDPOINT', 'savepoint', 'rollback to', "INSERT INTO t (a) VALUES ('BEGIN')", 'COMMITTED', 'start']) {
      expect(parseTransactionControl(sql), sql).toBeUndefined();
    }
  });
});
