/**
 * Colour on or off for one output stream: `NO_COLOR` (any non-empty value) turns colour off,
 * `FORCE_COLOR` (anything but `0`/`false`) turns it on, otherwise colour only on a terminal.
 * Example: `dynasql -e "..." | less` gets plain text; `FORCE_COLOR=1 dynasql -e "..." | less -R` gets colour.
 */
import picocolors from 'picocolors';

export type Colors = ReturnType<typeof picocolors.createColors>;

type Env = Record<string, string | undefined>;

export function colorEnabled(stream: { isTTY?: boolean }, env: Env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force !== 'false') return true;
  if (env.NO_COLOR) return false;
  if (force !== undefined) return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function colorsFor(stream: { isTTY?: boolean }, env: Env): Colors {
  return picocolors.createColors(colorEnabled(stream, env));
}
