import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { boundaryOf, encodeMultipart, parseHttpMessage, parseMultipart } from '../../src/emulator/http/multipart.js';
import { DOCUMENTED_IDS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { call, get } from './helpers.js';

let emu: RunningEmulator;
let root: string;
let path: string; // /api/data/v9.2/

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 20 });
  root = emu.url;
  path = new URL(root).pathname;
});
afterAll(async () => emu?.close());
beforeEach(() => emu.reset());

const CRLF = '\r\n';
const request = (method: string, url: string, body?: unknown, contentId?: string) =>
  [
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    ...(contentId ? [`Content-ID: ${contentId}`] : []),
    '',
    `${method} ${url} HTTP/1.1`,
    ...(body === undefined ? ['Accept: application/json'] : ['Content-Type: application/json; type=entry']),
    '',
    body === undefined ? '' : JSON.stringify(body),
  ].join(CRLF);

function batch(parts: (string | { changeset: string[] })[]): string {
  const lines: string[] = [];
  for (const part of parts) {
    lines.push('--batch_AAA123');
    if (typeof part === 'string') lines.push(part);
    else {
      lines.push('Content-Type: multipart/mixed; boundary="changeset_BBB456"', '');
      for (const inner of part.changeset) lines.push('--changeset_BBB456', inner);
      lines.push('--changeset_BBB456--');
    }
  }
  lines.push('--batch_AAA123--', '');
  return lines.join(CRLF);
}

const postBatch = (body: string, headers: Record<string, string> = {}) =>
  call(`${root}$batch`, { method: 'POST', body, headers: { 'Content-Type': 'multipart/mixed; boundary="batch_AAA123"', ...headers } });

/** Response parts flattened (change sets opened), as parsed HTTP messages. */
function responseParts(reply: { headers: Record<string, string>; text: string }) {
  const out: ReturnType<typeof parseHttpMessage>[] = [];
  const walk = (body: string, boundary: string) => {
    for (const part of parseMultipart(body, boundary) ?? []) {
      const inner = boundaryOf(part.headers['content-type']);
      if (inner) walk(part.body, inner);
      else out.push(parseHttpMessage(part.body));
    }
  };
  walk(reply.text, boundaryOf(reply.headers['content-type'])!);
  return out;
}

describe('multipart codec', () => {
  it('round-trips parts and nested change sets', () => {
    const text = encodeMultipart('b1', [
      { kind: 'http', status: 200, statusText: 'OK', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' },
      { kind: 'changeset', boundary: 'c1', parts: [{ kind: 'http', contentId: '1', status: 204, statusText: 'No Content', headers: {} }] },
    ]);
    const parts = parseMultipart(text, 'b1')!;
    expect(parts).toHaveLength(2);
    expect(parseHttpMessage(parts[0]!.body)).toEqual({ startLine: 'HTTP/1.1 200 OK', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    const inner = parseMultipart(parts[1]!.body, boundaryOf(parts[1]!.headers['content-type'])!)!;
    expect(inner[0]!.headers['content-id']).toBe('1');
    expect(parseMultipart('--b1\r\nx', 'b1')).toBeUndefined();
  });
});

describe('$batch (protocol §4)', () => {
  it('runs GETs and a change set in order, with Content-ID references', async () => {
    const r = await postBatch(batch([
      { changeset: [
        request('POST', `${path}accounts`, { name: 'Batch account' }, '1'),
        request('POST', `${path}tasks`, { subject: 'Batch task', 'regardingobjectid_account_task@odata.bind': '$1' }, '2'),
        request('PATCH', '$1', { description: 'patched through $1' }, '3'),
      ] },
      request('GET', `${path}accounts?$select=name&$filter=name%20eq%20'Batch%20account'`),
      request('GET', `${root}WhoAmI`),
    ]));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^multipart\/mixed; boundary=batchresponse_[0-9a-f-]{36}$/);
    expect(r.text).toMatch(/--changesetresponse_[0-9a-f-]{36}/);
    const parts = responseParts(r);
    expect(parts.map((p) => p.startLine)).toEqual(['HTTP/1.1 204 No Content', 'HTTP/1.1 204 No Content', 'HTTP/1.1 204 No Content', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    expect(parts[0]!.headers['odata-entityid']).toMatch(/accounts\([0-9a-f-]{36}\)$/);
    expect(parts[3]!.headers['content-type']).toBe('application/json; odata.metadata=minimal; odata.streaming=true');
    const found = JSON.parse(parts[3]!.body).value;
    expect(found).toHaveLength(1);
    const account = await get(`${root}accounts(${found[0].accountid})?$select=description&$expand=Account_Tasks($select=subject)`);
    expect(account.json.description).toBe('patched through $1');
    expect(account.json.Account_Tasks.map((t: { subject: string }) => t.subject)).toEqual(['Batch task']);
  });

  it('rolls a failing change set back as a whole and stops with a 400 holding only the failure', async () => {
    const before = (await get(`${root}accounts/$count`)).text;
    const r = await postBatch(batch([
      { changeset: [
        request('POST', `${path}accounts`, { name: 'Rolled back 1' }, '1'),
        request('PATCH', `${path}contacts(${DOCUMENTED_IDS.contact})`, { jobtitle: 'Rolled back too' }, '2'),
        request('POST', `${path}tasks`, { subject: 'x'.repeat(250) }, '3'),
      ] },
      request('GET', `${path}accounts?$top=1`),
    ]));
    expect(r.status).toBe(400);
    const parts = responseParts(r);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.startLine).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(parts[0]!.body)).toEqual({ error: { code: '0x80044331', message: "A validation error occurred.  The length of the 'subject' attribute of the 'task' entity exceeded the maximum allowed length of '200'." } });
    expect((await get(`${root}accounts/$count`)).text).toBe(before);
    expect((await get(`${root}contacts(${DOCUMENTED_IDS.contact})?$select=jobtitle`)).json.jobtitle).not.toBe('Rolled back too');
  });

  it('continues after errors with Prefer: odata.continue-on-error', async () => {
    const r = await postBatch(batch([
      request('GET', `${path}acounts`),
      { changeset: [request('POST', `${path}accounts`, { nosuch: 1 }, '1')] },
      request('POST', `${path}accounts`, { name: 'After errors' }),
    ]), { Prefer: 'odata.continue-on-error' });
    expect(r.status).toBe(200);
    const parts = responseParts(r);
    expect(parts.map((p) => p.startLine)).toEqual(['HTTP/1.1 404 Not Found', 'HTTP/1.1 400 Bad Request', 'HTTP/1.1 204 No Content']);
    expect(JSON.parse(parts[0]!.body).error.message).toBe("Resource not found for the segment 'acounts'.");
  });

  it('refuses GET inside a change set, forward Content-ID references and more than 1,000 requests', async () => {
    const get1 = await postBatch(batch([{ changeset: [request('GET', `${path}accounts`)] }]));
    expect(get1.status).toBe(400);
    const forward = await postBatch(batch([{ changeset: [request('PATCH', '$7', { name: 'x' }, '1')] }]));
    const part = responseParts(forward)[0]!;
    expect(JSON.parse(part.body).error.message).toBe("Content-ID Reference: '$7' does not exist in the batch context.");
    const many = await postBatch(batch(Array.from({ length: 1001 }, () => request('GET', `${path}WhoAmI`))));
    expect(many.status).toBe(400);
    expect(JSON.parse(many.text).error.message).toBe('The number of requests in the batch (1001) exceeds the limit of 1000.');
    const thousand = await postBatch(batch(Array.from({ length: 1000 }, () => request('GET', `${path}WhoAmI`))));
    expect(thousand.status).toBe(200);
  });

  it('refuses a body that is not multipart', async () => {
    const r = await call(`${root}$batch`, { method: 'POST', body: '{"requests":[]}', headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error.code).toBe('0x80060888');
  });
});
