import { DynasqlError } from '../errors/index.js';

/**
 * Splits a connection string into its settings, in order, keys as written (trimmed).
 * Values may be quoted with '...' or "..." so they can hold `;`; a doubled quote inside stands for one
 * (`Client Secret="a;b""c"` → `a;b"c`). Empty segments (`a=1;;b=2;`) are ignored.
 */
export function parseConnectionString(text: string): Array<[key: string, value: string]> {
  const settings: Array<[string, string]> = [];
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    const semi = text.indexOf(';', i);
    if (semi !== -1 && (eq === -1 || semi < eq)) {
      // a segment without '=': blank is fine, anything else is malformed
      const segment = text.slice(i, semi).trim();
      if (segment !== '') throw malformed(segment);
      i = semi + 1;
      continue;
    }
    if (eq === -1) {
      const segment = text.slice(i).trim();
      if (segment !== '') throw malformed(segment);
      break;
    }
    const key = text.slice(i, eq).trim();
    if (key === '') throw new DynasqlError('DYNASQL_ERR_CONFIG', `Connection string has a value without a setting name at offset ${i}.`);
    let j = eq + 1;
    while (j < text.length && (text[j] === ' ' || text[j] === '\t')) j++;
    let value: string;
    const quote = text[j];
    if (quote === '"' || quote === "'") {
      let out = '';
      let k = j + 1;
      for (;;) {
        if (k >= text.length) throw new DynasqlError('DYNASQL_ERR_CONFIG', `The value of setting '${key}' has an unterminated quote.`);
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
        throw new DynasqlError('DYNASQL_ERR_CONFIG', `Unexpected text after the quoted value of setting '${key}'.`);
      }
      value = out;
      i = k + 1;
    } else {
      const end = text.indexOf(';', j);
      value = (end === -1 ? text.slice(j) : text.slice(j, end)).trim();
      i = end === -1 ? text.length : end + 1;
    }
    settings.push([key, value]);
  }
  return settings;
}

function malformed(segment: string): DynasqlError {
  // never echo the segment itself: it may be a pasted secret
  return new DynasqlError('DYNASQL_ERR_CONFIG', `Connection string has a segment without '=' (${segment.length} characters); expected 'Setting=value'.`);
}
