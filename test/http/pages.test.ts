import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor, pages, statementScope, type Executor } from '../../src/http/index.js';
import { json, startLoopbackServer, type LoopbackServer } from './loopback-server.js';

let server: LoopbackServer;
let executor: Executor;
beforeAll(async () => {
  server = await startLoopbackServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    const root = `http://${req.headers.host}/api/data/v9.2/`;
    if (url.pathname.endsWith('/rows')) {
      const page = Number(url.searchParams.get('page') ?? 0);
      const next = page < 2 ? `${root}rows?page=${page + 1}` : undefined;
      return json(res, 200, { ...(page === 0 ? { '@odata.count': 3 } : {}), value: [{ n: page }], ...(next ? { '@odata.nextLink': next } : {}) });
    }
    if (url.pathname.endsWith('/loop')) return json(res, 200, { value: [], '@odata.nextLink': `${root}loop` });
    if (url.pathname.endsWith('/html')) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    if (url.pathname.endsWith('/slow')) {
      await new Promise((r) => setTimeout(r, 1500));
      if (!res.destroyed) json(res, 200, { value: [] });
      return;
    }
    json(res, 200, { noValue: true });
  });
  executor = createExecutor({ serviceRoot: `${server.url}/api/data/v9.2/`, maxConcurrency: 2, maxRetries: 0, retryBudgetMs: 1000, requestTimeoutMs: 5000, isLoopback: true });
});
afterAll(async () => {
  await executor.close();
  await server.close();
});

describe('pages', () => {
  it('follows @odata.nextLink and sends the page size preference, merged with the caller’s', async () => {
    const seen: number[] = [];
    let count: number | undefined;
    for await (const page of pages<{ n: number }>(executor, 'rows', { pageSize: 1, headers: { Prefer: 'odata.include-annotations="*"' } })) {
      seen.push(...page.rows.map((r) => r.n));
      count ??= page.count;
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(count).toBe(3);
    const prefer = server.requests.filter((r) => r.url.includes('/rows')).map((r) => r.headers.prefer);
    expect(prefer).toEqual(Array(3).fill('odata.include-annotations="*",odata.maxpagesize=1'));
  });

  it('fetches on demand: stopping early sends no further requests', async () => {
    const before = server.requests.length;
    for await (const page of pages(executor, 'rows')) {
      expect(page.index).toBe(0);
      break;
    }
    expect(server.requests.length - before).toBe(1);
  });

  it('stops with an error when the service repeats a nextLink, or sends no value array or no JSON', async () => {
    const drain = async (url: string) => {
      for await (const _ of pages(executor, url)) void _;
    };
    await expect(drain('loop')).rejects.toMatchObject({ code: 'DYNASQL_ERR_SERVICE', message: expect.stringContaining('same @odata.nextLink') });
    await expect(drain('other')).rejects.toMatchObject({ code: 'DYNASQL_ERR_SERVICE', message: expect.stringContaining("no 'value'") });
    await expect(drain('html')).rejects.toMatchObject({ code: 'DYNASQL_ERR_SERVICE', message: expect.stringContaining('not valid JSON') });
    await expect(pages(executor, 'rows', { pageSize: 0 }).next()).rejects.toMatchObject({ code: 'DYNASQL_ERR_PARAMETER' });
  });
});

describe('statementScope', () => {
  it('the Statement Timeout aborts in-flight requests with DYNASQL_ERR_TIMEOUT', async () => {
    const scope = statementScope({ statementTimeoutMs: 200 });
    const started = Date.now();
    await expect(executor.send({ method: 'GET', url: 'slow', signal: scope.signal })).rejects.toMatchObject({ code: 'DYNASQL_ERR_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1000);
    scope.dispose();
  });

  it("the caller's cancellation aborts with DYNASQL_ERR_CANCELLED", async () => {
    const controller = new AbortController();
    const scope = statementScope({ statementTimeoutMs: 0 }, controller.signal);
    const pending = executor.send({ method: 'GET', url: 'slow', signal: scope.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
    scope.dispose();
  });
});
