/**
 * A service that answers faster than the client reads: the emulator's `$metadata` and its first page of
 * `accounts` (5,000 rows of `accountid, name, revenue`), served from memory as many times as asked, each
 * with its rows' etags renumbered (unique, as the emulator's are) and a `@odata.nextLink` to the next.
 * The emulator on a loaded machine answers a page slower than the driver reads one; against this the
 * driver is the bottleneck, which is when V8 may put off its full collections for a whole read
 * (bench/README.md, cancel: the 189–202 MB peaks of `stream()`).
 *
 *   const fast = await startFastPages(emulator.url, 200);   // 200 pages: 1,000,000 rows
 *   … connect(`Url=${fast.url}`) … SELECT accountid, name, revenue FROM account …
 *   await fast.close();
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FastPages {
  url: string;
  close(): Promise<void>;
}

export async function startFastPages(emulatorUrl: string, pages: number): Promise<FastPages> {
  const get = async (path: string, headers: Record<string, string>) => {
    const response = await fetch(new URL(path, emulatorUrl), { headers });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.text();
  };
  const metadata = await get('$metadata', { accept: 'application/xml' });
  const first = await get('accounts?$select=accountid,name,revenue', { accept: 'application/json', prefer: 'odata.maxpagesize=5000' });
  const rowsPerPage = (first.match(/"@odata\.etag"/g) ?? []).length;
  let root = '';
  const page = (n: number) => {
    let row = 0;
    const body = first
      .replace(/W\/\\"\d+\\"/g, () => `W/\\"${n * rowsPerPage + row++}\\"`)
      .replace(/,"@odata\.nextLink":"[^"]*"/, n + 1 < pages ? `,"@odata.nextLink":"${root}accounts?$select=accountid,name,revenue&$skiptoken=${n + 1}"` : '');
    return Buffer.from(body);
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', root);
    if (url.pathname.endsWith('/$metadata')) {
      response.writeHead(200, { 'content-type': 'application/xml' }).end(metadata);
    } else if (url.pathname.endsWith('/accounts')) {
      response.writeHead(200, { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0' })
        .end(page(Number(url.searchParams.get('$skiptoken') ?? 0)));
    } else {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: '0x80060888', message: `not served here: ${request.url}` } }));
    }
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}${new URL(emulatorUrl).pathname}`;
  return { url: root, close: () => new Promise((closed) => server.close(() => closed())) };
}
