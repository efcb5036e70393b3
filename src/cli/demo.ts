/**
 * `dynasql --demo`: the embedded Dynamics emulator started in this process on a free loopback
 * port, with its seeded sample data, and the connection string that reaches it.
 */

export interface Demo {
  /** the emulator's service root, e.g. `http://127.0.0.1:41234/api/data/v9.2/` */
  url: string;
  connectionString: string;
  banner: string;
  close(): Promise<void>;
}

/**
 * `http://127.0.0.1:41234/api/data/v9.2/` → `Organization URL=http://127.0.0.1:41234;...;API Version=9.2`.
 * The demo shows the org's actions and functions as procedures (`\df`, `EXEC WinOpportunity ...`),
 * which a real connection shows only when asked to.
 */
export function demoConnectionString(serviceRoot: string): string {
  const url = new URL(serviceRoot);
  const version = /\/v(\d+\.\d+)\/?$/.exec(url.pathname)?.[1] ?? '9.2';
  return `Organization URL=${url.origin};Edition=Dataverse;API Version=${version};Auth Scheme=None;Use Dynamic Stored Procedures=true`;
}

export async function startDemo(options: { rows?: number; seed?: number } = {}): Promise<Demo> {
  // loaded here, not at start-up: only --demo needs the emulator
  const { startEmulator } = await import('../emulator/index.js');
  const emulator = await startEmulator({ port: 0, host: '127.0.0.1', ...options });
  return {
    url: emulator.url,
    connectionString: demoConnectionString(emulator.url),
    banner: `dynasql demo: connected to the embedded Dynamics emulator at ${emulator.url} (sample data, in this process). \\? for help, \\q to quit.`,
    close: () => emulator.close(),
  };
}
