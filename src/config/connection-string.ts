import { DynasqlError } from '../errors/index.js';

/** One `key=value` of a connection string: the key as written (trimmed), the value unquoted. */
export interface ParsedSetting {
  key: string;
  value: string;
  quoted: boolean;
}

/**
 * Splits a connection string into its settings, in order, keys as written (trimmed).
 * Values may be quoted with '...' or "..." so they can hold `;`; a doubled quote inside stands for one
 * (`Client Secret="a;b""c"` → `a;b"c`). Empty segments (`a=1;;b=2;`) are ignored.
 */
export function parseConnectionString(text: string): Array<[key: string, value: string]> {
  return parseConnectionSettings(text).map(({ key, value }) => [key, value]);
}

/**
 * `parseConnectionString` with each value's quoting. `isSecret(key)` names the secret settings: an
 * unquoted secret ends at the first `;`, so whatever follows it may be the rest of the secret
 * (`Client Secret=Kq7~bAR;s3cRet=w1`), and no error about that text echoes it.
 */
export function parseConnectionSettings(text: string, isSecret: (key: string) => boolean = () => false): ParsedSetting[] {
  const settings: ParsedSetting[] = [];
  /** the key of the first secret given without quotes: nothing after it is echoed */
  let openSecret: string | undefined;
  const hint = () => (openSecret === undefined ? '' : ` ${quoteHint(openSecret)}`);
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    const semi = text.indexOf(';', i);
    if (semi !== -1 && (eq === -1 || semi < eq)) {
      // a segment without '=': blank is fine, anything else is malformed
      const segment = text.slice(i, semi).trim();
      if (segment !== '') throw malformed(segment, hint());
      i = semi + 1;
      continue;
    }
    if (eq === -1) {
      const segment = text.slice(i).trim();
      if (segment !== '') throw malformed(segment, hint());
      break;
    }
    const key = text.slice(i, eq).trim();
    if (key === '') throw new DynasqlError('DYNASQL_ERR_CONFIG', `Connection string has a value without a setting name at offset ${i}.${hint()}`);
    const named = openSecret === undefined ? `setting '${key}'` : `a setting after '${openSecret}'`;
    let j = eq + 1;
    while (j < text.length && (text[j] === ' ' || text[j] === '\t')) j++;
    const quote = text[j];
    if (quote === '"' || quote === "'") {
      let out = '';
      let k = j + 1;
      for (;;) {
        if (k >= text.length) throw new DynasqlError('DYNASQL_ERR_CONFIG', `The value of ${named} has an unterminated quote.${hint()}`);
        if (text[k] === quote) {
          if (text[k + 1] === quote) {
            out += quote;
            k += 2;
            continue;
          }
          k++;
          break;
        }
        out += text[k];
        k++;
      }
      while (k < text.length && (text[k] === ' ' || text[k] === '\t')) k++;
      if (k < text.length && text[k] !== ';') {
        throw new DynasqlError('DYNASQL_ERR_CONFIG', `Unexpected text after the quoted value of ${named}.${hint()}`);
      }
      settings.push({ key, value: out, quoted: true });
      i = k + 1;
    } else {
      const end = text.indexOf(';', j);
      const value = (end === -1 ? text.slice(j) : text.slice(j, end)).trim();
      settings.push({ key, value, quoted: false });
      if (openSecret === undefined && end !== -1 && isSecret(key)) openSecret = key;
      i = end === -1 ? text.length : end + 1;
    }
  }
  return settings;
}

/** What to say instead of text that may be the tail of an unquoted secret. */
export function quoteHint(secretKey: string): string {
  return `Text after '${secretKey}' is not shown: if its value contains ';', it was cut there, so put the value in double quotes (${secretKey}="...", with any " inside doubled).`;
}

function malformed(segment: string, hint: string): DynasqlError {
  // never echo the segment itself: it may be a pasted secret
  return new DynasqlError('DYNASQL_ERR_CONFIG', `Connection string has a segment without '=' (${segment.length} characters); expected 'Setting=value'.${hint}`);
}
