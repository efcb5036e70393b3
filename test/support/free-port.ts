import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now, for a server the test starts as a child process (redis-server, postgres). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
