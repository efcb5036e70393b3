/**
 * Where results go: the terminal (or the process's stdout) by default, or a file chosen with
 * `-o file` / `\o file`. Files get plain text (no colour) and never switch to the expanded view
 * on their own, because they have no width.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Colors } from './colors.js';
import picocolors from 'picocolors';

export interface OutputSink {
  write(text: string): void;
  colors: Colors;
  /** terminal width in cells, when the sink is a terminal */
  columns(): number | undefined;
  /** the file name, when the sink is a file */
  file?: string;
  close(): void;
}

export function streamSink(stream: NodeJS.WritableStream & { columns?: number; isTTY?: boolean }, colors: Colors): OutputSink {
  return {
    write: (text) => void stream.write(text),
    colors,
    columns: () => (stream.isTTY ? stream.columns : undefined),
    close: () => {},
  };
}

/** Opens (and truncates) `path`; throws the system error (ENOENT, EACCES) for the caller to report. */
export function fileSink(path: string): OutputSink {
  const fd = openSync(path, 'w');
  let open = true;
  return {
    write: (text) => {
      if (open) writeSync(fd, text);
    },
    colors: picocolors.createColors(false),
    columns: () => undefined,
    file: path,
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
