/**
 * The REPL in a real terminal (tmux), typed at like a person would: a query and its table, Tab
 * completion, the progress line and Ctrl-C on a running statement, Ctrl-C twice to quit.
 * Here with the in-memory Connection (terminal mechanics only); demo.test.ts does the same on the
 * real driver and emulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TmuxSession, tmuxAvailable } from './tmux.js';

const ROOT = resolve(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'dynasql-tmux-'));
const sessions: TmuxSession[] = [];
afterAll(() => {
  for (const s of sessions) s.close();
  rmSync(home, { recursive: true, force: true });
});

describe.skipIf(!tmuxAvailable())('REPL in a terminal (in-memory connection)', () => {
  it('shows a table, completes with Tab, cancels with Ctrl-C, quits with Ctrl-C twice', async () => {
    const tmux = new TmuxSession(['node', '--import', 'tsx', 'test/cli/fixtures/in-memory-repl.ts'], {
      cwd: ROOT,
      env: { HOME: home, TERM: 'xterm-256color', PATH: process.env.PATH ?? '' },
    });
    sessions.push(tmux);
    await tmux.waitFor('dynasql> ');

    tmux.type('SELECT TOP 2 name, revenue FROM acc');
    tmux.press('Tab');
    await tmux.waitFor('FROM account');
    tmux.type(' ORDER BY rev');
    tmux.press('Tab');
    await tmux.waitFor('ORDER BY revenue');
    tmux.type(' DESC;');
    tmux.press('Enter');
    const table = await tmux.waitFor('(2 rows)');
    expect(table).toMatch(/ Contoso +\| +900\.00/);

    tmux.type('SELECT slow;');
    tmux.press('Enter');
    await tmux.waitFor(/\d[\d,]* rows · \d+ pages · \d+ requests · \d+\.\ds +\(Ctrl-C cancels\)/);
    tmux.press('C-c');
    await tmux.waitFor('Cancelled.');

    tmux.type('SELECT TOP 2 name, revenue FROM account ORDER BY revenue DESC;');
    tmux.press('Enter');
    await tmux.waitFor(/\(2 rows\)[\s\S]*\(2 rows\)/);

    tmux.press('C-c');
    await tmux.waitFor('To quit, press Ctrl-C again');
    tmux.press('C-c');
    await tmux.waitFor('[exited 0]');
  });
});
