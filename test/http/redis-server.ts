/**
 * A real redis-server (Debian package `redis-server`) for the shared-budget tests and benchmark, on a
 * free port, in a temporary folder, persisting nothing. It can be killed and started again on the
 * same port, as an outage would.
 *
 *   const redis = await RedisServer.start();   // redis.url === 'redis://127.0.0.1:41234/0'
 *   await redis.kill(); await redis.restart(); await redis.stop();
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as connectSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';

/**
 * Whether redis-server is installed. Without it the tests are skipped on a developer's machine; in
 * CI (`CI` set) they always run, so a missing server fails them instead of hiding them
 * (`npm run test:setup` installs it).
 */
export function redisServerAvailable(): boolean {
  if (process.env.CI) return true;
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export class RedisServer {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number, private readonly dir: string) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'dynasql-redis-')));
    await server.restart();
    return server;
  }

  /** starts the server (again) and resolves once it accepts connections */
  async restart(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: 'ignore' });
    this.process = child;
    const failed = new Promise<never>((_, reject) => child.once('error', reject));
    for (let i = 0; i < 200; i++) {
      if (await Promise.race([accepts(this.port), failed])) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** SIGKILL: the server vanishes mid-conversation, as a crash would */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectSocket(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
