/**
 * A real PostgreSQL server for the sync tests, started in a temporary folder on a free port and
 * stopped at the end: Debian's server binaries (`npm run test:setup` installs the `postgresql`
 * package; they live in /usr/lib/postgresql/<version>/bin, not on PATH). initdb and postgres refuse
 * to run as root, so as root (CI) they run as the `postgres` user through setpriv.
 *
 * Without the binaries the tests are skipped on a developer's machine and fail in CI (`CI` set), as
 * the other real-client tests do.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

/** the folder of Debian's newest server binaries, else one on PATH, else undefined */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  try {
    const found = execFileSync('sh', ['-c', 'command -v postgres'], { encoding: 'utf8' }).trim();
    return found ? found.replace(/\/postgres$/, '') : undefined;
  } catch {
    return undefined;
  }
}

/** whether the tests that need a server run: always in CI, where a missing server must fail them */
export function postgresAvailable(): boolean {
  return Boolean(process.env.CI) || postgresBin() !== undefined;
}

/** [command, args] that run `bin/name` as an unprivileged user when we are root */
function asServerUser(bin: string, name: string, args: string[]): [string, string[]] {
  const path = join(bin, name);
  if (process.getuid?.() !== 0) return [path, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', path, ...args]];
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  if (!bin) throw new Error('No PostgreSQL server binaries (Debian package postgresql): run npm run test:setup');
  const dir = mkdtempSync(join(tmpdir(), 'dynasql-sync-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const [initdb, initArgs] = asServerUser(bin, 'initdb', ['-D', data, '-U', 'sync', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  execFileSync(initdb, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const [postgres, args] = asServerUser(bin, 'postgres', ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off']);
  const child: ChildProcess = spawn(postgres, args, { stdio: 'ignore' });
  const url = `postgres://sync@127.0.0.1:${port}/postgres`;
  const pg = (await import('pg')).default;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`PostgreSQL did not start: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // SIGINT: PostgreSQL's fast shutdown (setpriv execs postgres, so the signal reaches it)
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
