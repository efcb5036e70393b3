/**
 * Ctrl-C in the REPL stops a long local join inside the embedded engine: the prompt comes back,
 * the next query (a local join too) answers at once, and `\q` exits promptly, as a person at a
 * terminal would see it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TmuxSession, tmuxAvailable } from './tmux.js';

const ROOT = resolve(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'dynasql-tmux-cancel-'));
let tmux: TmuxSession | undefined;
afterAll(() => {
  tmux?.close();
  rmSync(home, { recursive: true, force: true });
});

/** six accounts in name order out of the demo's 100: over a thousand million rows, about a minute of work for the engine */
const LONG_JOIN = 'SELECT COUNT(*) AS n FROM account a JOIN account b ON a.name < b.name JOIN account c ON b.name < c.name'
  + ' JOIN account d ON c.name < d.name JOIN account e ON d.name < e.name JOIN account f ON e.name < f.name;';

describe.skipIf(!tmuxAvailable())('Ctrl-C in the REPL', () => {
  it('stops a long local join; the next query answers; \\q exits', async () => {
    tmux = new TmuxSession([process.execPath, 'bin/dynasql.js', '--demo'], {
      cwd: ROOT,
      env: { HOME: home, TERM: 'xterm-256color', PATH: process.env.PATH ?? '' },
    });
    await tmux.waitFor('dynasql> ', 60_000);
    tmux.type(LONG_JOIN);
    tmux.press('Enter');
    await tmux.waitFor(/\d+\.\ds +\(Ctrl-C cancels\)/, 30_000);
    // the five reads of account are done within the first second; then the engine computes
    await new Promise((r) => setTimeout(r, 1500));
    tmux.press('C-c');
    await tmux.waitFor('Cancelled.');
    await tmux.waitFor(/Cancelled\.\s*\n\s*dynasql> $/m);

    tmux.type('SELECT COUNT(*) AS n FROM account a JOIN account b ON a.name = b.name;');
    tmux.press('Enter');
    const screen = await tmux.waitFor('(1 row)', 15_000);
    expect(screen).toMatch(/^\s*100\s*$/m);

    tmux.type('\\q');
    tmux.press('Enter');
    // generous: the REPL did not exit for minutes
    await tmux.waitFor('[exited 0]', 5_000);
  }, 90_000);
});
