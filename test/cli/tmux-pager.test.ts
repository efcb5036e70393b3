/**
 * In a real terminal, a result longer than the screen goes through $PAGER (here a recorder that
 * writes what it was given to a file and quits), and the REPL takes the keyboard back afterwards.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TmuxSession, tmuxAvailable } from './tmux.js';

const ROOT = resolve(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'dynasql-tmux-pager-'));
let tmux: TmuxSession | undefined;
afterAll(() => {
  tmux?.close();
  rmSync(home, { recursive: true, force: true });
});

describe.skipIf(!tmuxAvailable())('the pager in a terminal', () => {
  it('\\d account (longer than the screen) goes through $PAGER, a short result does not', async () => {
    const paged = join(home, 'paged.txt');
    tmux = new TmuxSession(['node', 'bin/dynasql.js', '--demo'], {
      cwd: ROOT,
      env: { HOME: home, TERM: 'xterm-256color', PATH: process.env.PATH ?? '', PAGER: `cat >> ${paged}` },
      height: 30,
    });
    await tmux.waitFor('dynasql> ', 60_000);
    tmux.type('SELECT TOP 2 name FROM account;');
    tmux.press('Enter');
    await tmux.waitFor('(2 rows)', 30_000);
    expect(existsSync(paged)).toBe(false);

    tmux.type('\\d account');
    tmux.press('Enter');
    await tmux.waitFor(/\\d account\n(?:.*\n)*dynasql> $/m, 30_000);
    // the pager gets the same coloured table the terminal would (ANSI codes stripped to read it)
    const text = readFileSync(paged, 'utf8').replace(/\x1b\[\d+m/g, '');
    expect(text).toMatch(/^ accountid +\| uniqueidentifier/m);
    expect(text.split('\n').length).toBeGreaterThan(100);

    // the keyboard is the REPL's again
    tmux.type('SELECT 1 AS one;');
    tmux.press('Enter');
    await tmux.waitFor('(1 row)', 30_000);
    tmux.type('\\q');
    tmux.press('Enter');
    await tmux.waitFor('[exited 0]');
  });
});
