import type { ServerResponse } from 'node:http';

type WriteCallback = (error?: Error | null) => void;

/**
 * Holds back everything the router writes to `res` and hands the complete body to `onEnd`, which
 * decides how (or whether) it reaches the client. The router stays unaware of the fault.
 * `send` writes through the real methods.
 *
 *   holdResponse(res, (body, send) => send.write(body.subarray(0, 10), () => res.socket?.destroy()));
 */
export function holdResponse(res: ServerResponse, onEnd: (body: Buffer, send: { write(chunk: Buffer, cb?: WriteCallback): void; end(): void }) => void): void {
  const realWrite = res.write.bind(res) as (chunk: Buffer, cb?: WriteCallback) => boolean;
  const realEnd = res.end.bind(res) as (cb?: () => void) => ServerResponse;
  const chunks: Buffer[] = [];
  const toBuffer = (chunk: unknown, encoding: unknown) =>
    Buffer.isBuffer(chunk) ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk) : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');

  res.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
    chunks.push(toBuffer(chunk, encoding));
    const callback = typeof encoding === 'function' ? encoding : cb;
    if (typeof callback === 'function') process.nextTick(callback as () => void);
    return true;
  }) as ServerResponse['write'];
  let ended = false;
  res.end = ((chunk?: unknown, encoding?: unknown, cb?: unknown) => {
    if (ended) return res;
    ended = true;
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') chunks.push(toBuffer(chunk, encoding));
    res.write = realWrite as ServerResponse['write'];
    res.end = realEnd as ServerResponse['end'];
    onEnd(Buffer.concat(chunks), { write: (c, done) => void realWrite(c, done), end: () => void realEnd() });
    const callback = [chunk, encoding, cb].find((x) => typeof x === 'function');
    if (callback) process.nextTick(callback as () => void);
    return res;
  }) as ServerResponse['end'];
}
