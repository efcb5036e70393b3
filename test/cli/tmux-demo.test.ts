/**
 * The README's main command as a person would use it, in a real terminal: `npm run demo` opens the
 * REPL on the embedded emulator; a query prints a table; Tab completes a table name; a statement
 * slowed by the emulator's latency injection shows progress and is cancelled with Ctrl-C; the REPL
 * lives on; a two-line statement comes back whole with the up arrow; Ctrl-C twice at the empty
 * prompt quits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { TmuxSession, tmuxAvailable } from './tmux.js';

const ROOT = resolve(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'dynasql-tmux-demo-'));
let tmux: TmuxSession | undefined;
afterAll(() => {
  tmux?.close();
  rmSync(home, { recursive: true, force: true });
});

describe.skipIf(!tmuxAvailable())('npm run demo in a terminal', () => {
  it('opens the REPL on the demo data, prints a table, completes, cancels, quits', async () => {
    tmux = new TmuxSession(['npm', 'run', '--silent', 'demo'], {
      cwd: ROOT,
      env: { HOME: home, TERM: 'xterm-256color', PATH: process.env.PATH ?? '' },
    });
    const banner = await tmux.waitFor(/embedded Dynamics emulator at (http:\/\/127\.0\.0\.1:\d+)\S*/, 60_000);
    const origin = /embedded Dynamics emulator at (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1]!;
    await tmux.waitFor('dynasql> ');

    tmux.type('SELECT TOP 5 name, revenue FROM acc');
    tmux.press('Tab');
    await tmux.waitFor('FROM account');
    tmux.type(' ORDER BY reve');
    tmux.press('Tab');
    await tmux.waitFor('ORDER BY revenue');
    tmux.type(' DESC;');
    tmux.press('Enter');
    const screen = await tmux.waitFor('(5 rows)', 30_000);
    expect(screen).toMatch(/ name +\| revenue/);

    // every request now waits 10 s: the statement runs long enough to watch and cancel
    const put = await request(`${origin}/_emulator/faults`, { method: 'PUT', body: JSON.stringify({ latencyMs: 10_000 }), headers: { 'content-type': 'application/json' } });
    expect(put.statusCode).toBe(200);
    await put.body.dump();
    tmux.type('SELECT fullname FROM contact;');
    tmux.press('Enter');
    await tmux.waitFor(/\d+\.\ds +\(Ctrl-C cancels\)/);
    tmux.press('C-c');
    await tmux.waitFor('Cancelled.');
    await (await request(`${origin}/_emulator/faults`, { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } })).body.dump();

    // a statement over two lines, then recalled whole with the up arrow
    tmux.type('SELECT COUNT(*) AS n');
    tmux.press('Enter');
    await tmux.waitFor('dynasql-> ');
    tmux.type('FROM account;');
    tmux.press('Enter');
    await tmux.waitFor('(1 row)', 30_000);
    tmux.press('Up');
    await tmux.waitFor('dynasql> SELECT COUNT(*) AS n FROM account;');
    tmux.press('Enter');
    await tmux.waitFor(/\(1 row\)[\s\S]*\(1 row\)/, 30_000);
    tmux.press('C-c');
    await tmux.waitFor('To quit, press Ctrl-C again');
    tmux.press('C-c');
    await tmux.waitFor('[exited 0]');
  });
});
