/**
 * `--demo`'s emulator: started in this process on a loopback port, reachable over HTTP, with a
 * connection string the driver accepts; and `dynasql emulator` handing over to the emulator's command.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { demoConnectionString, startDemo } from '../../src/cli/demo.js';
import { runCli } from '../../src/cli/main.js';
import { Capture } from './in-memory-connection.js';

describe('demo emulator', () => {
  it('builds the connection string from the service root', () => {
    expect(demoConnectionString('http://127.0.0.1:41234/api/data/v9.2/')).toBe(
      'Organization URL=http://127.0.0.1:41234;Edition=Dataverse;API Version=9.2;Auth Scheme=None;Use Dynamic Stored Procedures=true',
    );
  });

  it('serves the sample data on loopback until closed', async () => {
    const demo = await startDemo();
    try {
      expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/data\/v9\.\d\/$/);
      expect(demo.banner).toContain(demo.url);
      const response = await request(`${demo.url}accounts?$select=name,revenue&$top=2`);
      expect(response.statusCode).toBe(200);
      const body = (await response.body.json()) as { value: { name: string }[] };
      expect(body.value).toHaveLength(2);
      expect(typeof body.value[0]!.name).toBe('string');
    } finally {
      await demo.close();
    }
    await expect(request(`${demo.url}accounts`)).rejects.toThrow();
  });

  it('dynasql emulator hands its arguments to the emulator command', async () => {
    const stdout = new Capture();
    const stderr = new Capture();
    expect(await runCli({ argv: ['emulator', '--help'], stdout, stderr, env: {} })).toBe(0);
    expect(stdout.text).toContain('Usage: dynasql emulator');
    expect(await runCli({ argv: ['emulator', '--bogus'], stdout, stderr, env: {} })).toBe(2);
    expect(stderr.text).toContain("unknown option '--bogus'");
  });
});
