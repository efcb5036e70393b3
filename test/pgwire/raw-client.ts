/**
 * A byte-level Postgres client for tests that need exact control over messages (portals with row
 * limits, binary formats, malformed input, cancel requests). It logs in with SCRAM-SHA-256.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { splitBackendMessages, type BackendMessage } from '../../src/pgwire/backend-messages.js';
import { encodeStartupMessage } from '../../src/pgwire/frontend-messages.js';

export class RawClient {
  private buffer = Buffer.alloc(0);
  readonly messages: BackendMessage[] = [];
  private waiters: (() => void)[] = [];
  closed = false;
  processId = 0;
  secretKey = 0;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      const messages = splitBackendMessages(this.buffer);
      const used = messages.reduce((n, m) => n + m.bytes.length, 0);
      this.buffer = this.buffer.subarray(used);
      this.messages.push(...messages.map((m) => ({ ...m, bytes: Buffer.from(m.bytes), body: Buffer.from(m.body) })));
      this.wake();
    });
    socket.on('close', () => ((this.closed = true), this.wake()));
    socket.on('error', () => undefined);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Opens a connection and logs in; resolves after the first ReadyForQuery. */
  static async login(port: number, user: string, password: string, minorVersion = 0): Promise<RawClient> {
    const c = await RawClient.open(port);
    c.send(encodeStartupMessage({ user, database: 'dynamics' }, minorVersion));
    await c.until('R');
    const nonce = randomBytes(18).toString('base64');
    const first = `n=,r=${nonce}`;
    const initial = Buffer.concat([Buffer.from('SCRAM-SHA-256\0'), int32(Buffer.byteLength(`n,,${first}`)), Buffer.from(`n,,${first}`)]);
    c.take();
    c.send(frame('p', initial));
    const cont = (await c.until('R')).find((m) => m.type === 'R')!;
    const serverFirst = cont.body.subarray(4).toString();
    const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
    const salted = pbkdf2Sync(password, Buffer.from(attrs.s!, 'base64'), Number(attrs.i), 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=biws,r=${attrs.r}`;
    const signature = createHmac('sha256', storedKey).update(`${first},${serverFirst},${withoutProof}`).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!)).toString('base64');
    c.take();
    c.send(frame('p', Buffer.from(`${withoutProof},p=${proof}`)));
    const done = await c.until('Z');
    const key = done.find((m) => m.type === 'K');
    if (!key) throw new Error(`login failed: ${done.map((m) => m.type).join('')}`);
    c.processId = key.body.readInt32BE(0);
    c.secretKey = key.body.readInt32BE(4);
    return c;
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Messages received so far, removed from the log. */
  take(): BackendMessage[] {
    return this.messages.splice(0);
  }

  /** Waits until a message of `type` arrives (or the socket closes) and takes everything up to it. */
  async until(type: string, timeoutMs = 10_000): Promise<BackendMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.messages.findIndex((m) => m.type === type);
      if (at >= 0) return this.messages.splice(0, at + 1);
      if (this.closed) return this.take();
      if (Date.now() > deadline) throw new Error(`timed out waiting for '${type}'`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

export function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

export function frame(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
}
