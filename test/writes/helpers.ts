/**
 * Shared by the write tests: an emulator on port 0, a real connection to it, and its request log
 * (what actually went over the wire).
 */
import { startEmulator } from '../../src/emulator/index.js';
import { connect } from '../../src/index.js';
import type { Connection } from '../../src/connection/types.js';

export interface LoggedRequest { method: string; url: string; headers: Record<string, string | string[]>; body: string }

export interface WriteFixture {
  emu: Awaited<ReturnType<typeof startEmulator>>;
  conn: Connection;
  /** connects again with extra settings (closed by `close`) */
  connectWith(settings: string): Promise<Connection>;
  requests(): Promise<LoggedRequest[]>;
  /** the requests that change data (everything but GET) */
  writes(): Promise<LoggedRequest[]>;
  clearLog(): Promise<void>;
  stats(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function writeFixture(options: Parameters<typeof startEmulator>[0] = {}, settings = ''): Promise<WriteFixture> {
  const emu = await startEmulator({ port: 0, ...options });
  const finops = options.edition === 'finops';
  const base = `Url=${emu.url};Auth Scheme=None${finops ? ';Edition=FinOpsOnline' : ''}`;
  const extra: Connection[] = [];
  const conn = await connect(`${base}${settings ? `;${settings}` : ''}`);
  const requests = async () => (await (await fetch(`${emu.origin}/_emulator/requests`)).json()) as LoggedRequest[];
  return {
    emu, conn,
    async connectWith(more) {
      const c = await connect(`${base};${more}`);
      extra.push(c);
      return c;
    },
    requests,
    async writes() {
      return (await requests()).filter((r) => r.method !== 'GET');
    },
    async clearLog() {
      await fetch(`${emu.origin}/_emulator/requests`, { method: 'DELETE' });
    },
    async stats() {
      return (await (await fetch(`${emu.origin}/_emulator/stats`)).json()) as Record<string, number>;
    },
    async close() {
      for (const c of extra) await c.close();
      await conn.close();
      await emu.close();
    },
  };
}

export function header(request: LoggedRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}
