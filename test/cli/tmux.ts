/**
 * Drives a program in a real pseudo-terminal through tmux, the way a person at a keyboard would:
 * type text, press keys (Tab, Enter, C-c), read the screen. Each session gets its own tmux server
 * socket, so tests never touch anyone's tmux. The program's exit status is printed on the screen as
 * `[exited N]` and the pane stays open, so a test can read the last screen too.
 */
import { execFileSync } from 'node:child_process';

/**
 * Whether the tmux tests can run. On a developer's machine without tmux they are skipped; in CI
 * (`CI` set, as .ci/run and CI services do) they always run, so a missing tmux fails them instead
 * of hiding them (`npm run test:setup` installs it).
 */
export function tmuxAvailable(): boolean {
  if (process.env.CI) return true;
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class TmuxSession {
  private readonly socket: string;

  constructor(command: string[], options: { cwd: string; env: Record<string, string>; width?: number; height?: number }) {
    this.socket = `dynasql-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const env = Object.entries(options.env).map(([k, v]) => `${k}=${quote(v)}`).join(' ');
    const script = `cd ${quote(options.cwd)} && env ${env} ${command.map(quote).join(' ')}; echo "[exited $?]"; sleep 600`;
    this.tmux('new-session', '-d', '-x', String(options.width ?? 200), '-y', String(options.height ?? 50), '-s', 'main', 'sh', '-c', script);
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** Types text literally (no key names). tmux reads an argument's trailing `;` as a command separator unless escaped. */
  type(text: string): void {
    this.tmux('send-keys', '-t', 'main', '-l', text.replace(/;$/, '\\;'));
  }

  /** Presses keys by tmux name: `Enter`, `Tab`, `C-c`, `C-d`. */
  press(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'main', ...keys);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-t', 'main');
  }

  /** Waits until the screen matches; throws with the screen when it does not within `timeoutMs`. */
  async waitFor(expected: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (typeof expected === 'string' ? screen.includes(expected) : expected.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`screen never showed ${String(expected)}:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}
