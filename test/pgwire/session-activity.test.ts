/** Pointing a statement's pg_stat_activity and pg_*_backend references at the sessions (session-activity.ts). */
import { describe, expect, it } from 'vitest';
import { pointAtSessions, signalsOf } from '../../src/pgwire/session-activity.js';

describe('pointAtSessions', () => {
  it('points the view and the called functions, bare or pg_catalog-qualified, at the session schema', () => {
    const sql = "SELECT pg_cancel_backend(pid) FROM pg_catalog.pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()";
    expect(pointAtSessions(sql)?.sql).toBe(
      "SELECT dynasql_session.pg_cancel_backend(pid) FROM dynasql_session.pg_stat_activity WHERE state = 'active' AND pid <> dynasql_session.pg_backend_pid()",
    );
    expect(pointAtSessions('select pg_terminate_backend ( 7 )')?.sql).toBe('select dynasql_session.pg_terminate_backend ( 7 )');
  });

  it('leaves the relation name used as a qualifier, other schemas, strings, quoted names and uncalled names', () => {
    expect(pointAtSessions('select pg_stat_activity.pid from pg_stat_activity')?.sql).toBe('select pg_stat_activity.pid from dynasql_session.pg_stat_activity');
    expect(pointAtSessions("select 'pg_stat_activity', \"pg_backend_pid\"(), x.pg_backend_pid() from other.pg_stat_activity")).toBeUndefined();
    expect(pointAtSessions('select pg_backend_pid from t')).toBeUndefined();
  });

  it("maps an error position in the pointed text back to the client's text", () => {
    const sql = 'select pg_backend_pid(), nope from pg_stat_activity where nope2 = 1';
    const pointed = pointAtSessions(sql)!;
    const at = (text: string, word: string) => text.indexOf(word) + 1;
    expect(pointed.clientPosition(at(pointed.sql, 'nope'))).toBe(at(sql, 'nope'));
    expect(pointed.clientPosition(at(pointed.sql, 'nope2'))).toBe(at(sql, 'nope2'));
    expect(pointed.clientPosition(1)).toBe(1);
  });
});

describe('signalsOf', () => {
  it('reads the granted requests in order and nothing else', () => {
    expect(signalsOf('cancel:7,terminate:9')).toEqual([{ action: 'cancel', pid: 7 }, { action: 'terminate', pid: 9 }]);
    expect(signalsOf('')).toEqual([]);
    expect(signalsOf(null)).toEqual([]);
    expect(signalsOf('drop:1')).toEqual([]);
  });
});
