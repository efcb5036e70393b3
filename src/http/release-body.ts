/**
 * Gives a response body's memory back now rather than at V8's next full collection. A body is an
 * ArrayBuffer outside the JavaScript heap, held by a small object inside it; when that object has
 * outlived two young-generation collections (a page read while the next one arrives can), it is
 * promoted, and the megabyte it holds stays allocated until a mark-compact, which V8 may put off for
 * a hundred pages (bench/README.md, cancel). Transferring the buffer detaches it from every view: the
 * memory then belongs to a new, unreferenced buffer that the next young collection frees.
 *
 *   releaseBody(response.body);   // response.body.byteLength === 0 afterwards; only when nothing reads it again
 *
 * Only a body that owns its whole buffer is released (the transport's own copy of what it read); a view
 * into a larger buffer (a part of a `$batch` answer) is left alone.
 */
export function releaseBody(body: Uint8Array): void {
  const buffer = body.buffer;
  if (!(buffer instanceof ArrayBuffer) || body.byteOffset !== 0 || body.byteLength !== buffer.byteLength || buffer.byteLength === 0) return;
  structuredClone(buffer, { transfer: [buffer] });
}
