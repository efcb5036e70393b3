/**
 * Read-only sessions (every way a session becomes read-only refuses every write to Dynamics with
 * 25006), startup `options` (applied, checked, reported), and NegotiateProtocolVersion, against the
 * real driver on the real emulator (issue 17).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeStartupMessage } from '../../src/pgwire/frontend-messages.js';
import { RawClient } from './raw-client.js';
import { errorOf, startRealServer, type RealServer } from './real-server.js';

let real: RealServer;

beforeAll(async () => {
  real = await startRealServer({ settings: 'Use Dynamic Stored Procedures=true' });
}, 180_000);

afterAll(async () => {
  await real?.close();
});

const NAME = 'Adventure Works (sample)';
/** the methods of the emulator's requests since `from` that would change data */
const writesSince = (from: number) => real.emulator.requests().slice(from).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.url}`);

async function opportunityClose(): Promise<string> {
  const { rows } = await real.conn.query('SELECT TOP 1 opportunityid FROM opportunity WHERE statecode = 0 ORDER BY opportunityid');
  return JSON.stringify({ subject: 'Won', 'opportunityid@odata.bind': `opportunities(${rows[0]!.opportunityid as string})` });
}

describe('read-only sessions', () => {
  it('refuses INSERT, UPDATE, DELETE and an action under each way of becoming read-only, and still reads', async () => {
    const close = await opportunityClose();
    const writes: [string, unknown[]][] = [
      ["insert into account (name) values ('read-only test')", []],
      ['update account set name = $1 where name = $2', ['changed', NAME]],
      ['delete from account where name = $1', [NAME]],
      ['with gone as (delete from account where name = $1 returning name) select count(*) from gone', [NAME]],
      ['call "WinOpportunity"($1, 3)', [close]],
    ];
    const modes: { how: string; setup: string[]; extra?: { options: string } }[] = [
      { how: 'BEGIN READ ONLY', setup: ['begin read only'] },
      { how: 'START TRANSACTION READ ONLY', setup: ['start transaction read only'] },
      { how: 'SET TRANSACTION READ ONLY in a block', setup: ['begin', 'set transaction isolation level serializable, read only'] },
      { how: 'SET SESSION CHARACTERISTICS', setup: ['set session characteristics as transaction read only'] },
      { how: 'SET default_transaction_read_only', setup: ['set default_transaction_read_only = on'] },
      { how: 'SET default_transaction_read_only, then BEGIN', setup: ['set default_transaction_read_only to true', 'begin'] },
      { how: 'the startup option', setup: [], extra: { options: '-c default_transaction_read_only=on' } },
    ];
    const before = real.emulator.requests().length;
    for (const mode of modes) {
      const c = await real.client(mode.extra ?? {});
      try {
        for (const sql of mode.setup) await c.query(sql);
        for (const [sql, params] of writes) {
          const error = await errorOf(c.query(sql, params));
          expect({ how: mode.how, sql, code: error.code }).toEqual({ how: mode.how, sql, code: '25006' });
          expect(error.message).toMatch(/^cannot execute (INSERT|UPDATE|DELETE|WITH|CALL) in a read-only transaction$/);
          if (mode.setup.some((s) => /^(begin|start)/.test(s))) await c.query('rollback'), await c.query(mode.setup.join(';'));
        }
        // reads and functions (GET) go on
        expect((await c.query('select name from account where name = $1', [NAME])).rows).toEqual([{ name: NAME }]);
        expect((await c.query('call "WhoAmI"()')).rows[0]).toMatchObject({ UserId: real.emulator.whoAmI.UserId });
      } finally {
        await c.end();
      }
    }
    expect(writesSince(before)).toEqual([]);
  });

  it('SHOW and ParameterStatus follow the session mode; READ WRITE and RESET turn it back', async () => {
    const c = await real.client();
    try {
      const reported: Record<string, string> = {};
      c.connection.on('parameterStatus', (m: { parameterName: string; parameterValue: string }) => (reported[m.parameterName] = m.parameterValue));
      await c.query('set session characteristics as transaction read only');
      expect((await c.query('show default_transaction_read_only')).rows).toEqual([{ default_transaction_read_only: 'on' }]);
      expect(reported['default_transaction_read_only']).toBe('on');
      // an explicit READ WRITE block writes although the session default is read-only
      await c.query('begin read write');
      expect((await c.query('update account set telephone1 = $1 where name = $2', ['555-0100', NAME])).rowCount).toBe(1);
      await c.query('commit');
      await c.query('reset default_transaction_read_only');
      expect(reported['default_transaction_read_only']).toBe('off');
      expect((await c.query('update account set telephone1 = $1 where name = $2', ['555-0101', NAME])).rowCount).toBe(1);
      await c.query("set application_name = 'modes test'");
      expect(reported['application_name']).toBe('modes test');
      // only what changed is reported: the session's TimeZone and DateStyle stay as given at login
      expect(Object.keys(reported).sort()).toEqual(['application_name', 'default_transaction_read_only']);
      // outside a block SET TRANSACTION changes nothing (a warning, as Postgres)
      await c.query('set transaction read only');
      expect((await c.query('update account set telephone1 = $1 where name = $2', ['555-0102', NAME])).rowCount).toBe(1);
    } finally {
      await c.end();
    }
  });
});

describe('startup options', () => {
  it('applies -c and --name=value settings, reports them, and SHOW answers them', async () => {
    const c = await real.client({ options: '-c statement_timeout=7s --application-name=my\\ report -cTimeZone=Europe/Berlin', application_name: undefined });
    try {
      const { rows } = await c.query('select current_setting($1) as a, current_setting($2) as t, current_setting($3) as tz', ['application_name', 'statement_timeout', 'TimeZone']);
      expect(rows).toEqual([{ a: 'my report', t: '7s', tz: 'Europe/Berlin' }]);
    } finally {
      await c.end();
    }
  });

  it('refuses an unknown setting, a bad value, a role change and a stray word with FATAL', async () => {
    for (const [options, code] of [
      ['-c no_such_setting=1', '42704'],
      ['-c statement_timeout=soon', '22023'],
      ['-c role=postgres', '42501'],
      ['-B 100', '42601'],
    ] as const) {
      const error = await errorOf(real.client({ options }));
      expect({ options, code: error.code }).toEqual({ options, code });
    }
    // the server goes on
    const c = await real.client();
    expect((await c.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await c.end();
  });
});

describe('NegotiateProtocolVersion', () => {
  it('answers a 3.2 startup with unknown _pq_ options by 3.0 and the options, then serves the session', async () => {
    const c = await RawClient.open(real.server.port);
    try {
      c.send(encodeStartupMessage({ user: 'bi', database: 'dynamics', '_pq_.compression': 'on' }, 2));
      const messages = await c.until('R');
      const negotiate = messages.find((m) => m.type === 'v')!;
      expect(negotiate.body.readInt32BE(0)).toBe(0);
      expect(negotiate.body.readInt32BE(4)).toBe(1);
      expect(negotiate.body.toString('utf8', 8)).toBe('_pq_.compression\0');
    } finally {
      c.socket.destroy();
    }
    // a full login at 3.2 through the byte-level client
    const logged = await RawClient.login(real.server.port, 'bi', 'pencil', 2);
    logged.send(Buffer.from('Q\0\0\0\x0dselect 1\0', 'latin1'));
    const answer = await logged.until('Z');
    expect(answer.map((m) => m.type).join('')).toBe('TDCZ');
    logged.socket.destroy();
  });
});
