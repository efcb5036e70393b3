/**
 * releaseBody frees a page's bytes at once (their memory goes to a buffer nothing references), and only
 * when the body owns its whole buffer: a view into a larger one (a part of a `$batch` answer) is kept.
 */
import { describe, expect, it } from 'vitest';
import { releaseBody } from '../../src/http/index.js';

describe('releaseBody', () => {
  it('detaches a body that owns its buffer', () => {
    const body = new Uint8Array(new TextEncoder().encode('{"value":[]}'));
    releaseBody(body);
    expect(body.byteLength).toBe(0);
    expect(body.buffer.byteLength).toBe(0);
  });

  it('leaves a view into a larger buffer, and an empty body, as they are', () => {
    const whole = new TextEncoder().encode('--batch\r\n{"value":[]}\r\n--batch--');
    const length = whole.byteLength;
    const part = whole.subarray(9, 21);
    releaseBody(part);
    expect(new TextDecoder().decode(part)).toBe('{"value":[]}');
    expect(whole.byteLength).toBe(length);
    const empty = new Uint8Array(0);
    expect(() => releaseBody(empty)).not.toThrow();
  });
});
