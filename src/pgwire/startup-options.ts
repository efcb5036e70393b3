/**
 * The startup packet's `options` parameter, read as Postgres reads it: words separated by blanks (a
 * backslash keeps the next character, so `\ ` is a blank inside a value), each `-c name=value`,
 * `-cname=value` or `--name=value` (dashes in a `--` name become underscores).
 * Example: `-c statement_timeout=5s --application-name=my\ report` →
 * [['statement_timeout', '5s'], ['application_name', 'my report']].
 */

export type StartupOptions = { settings: [string, string][] } | { error: string };

/** Splits `options` into words as Postgres' pg_split_opts does. */
function words(options: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < options.length; i++) {
    const c = options[i]!;
    if (c === '\\' && i + 1 < options.length) {
      word += options[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) out.push(word);
  return out;
}

function setting(text: string, dashesToUnderscores: boolean): [string, string] | undefined {
  const eq = text.indexOf('=');
  if (eq <= 0) return undefined;
  const name = text.slice(0, eq);
  return [dashesToUnderscores ? name.replace(/-/g, '_') : name, text.slice(eq + 1)];
}

/** The settings `options` asks for, or the word Postgres would refuse. */
export function parseStartupOptions(options: string): StartupOptions {
  const settings: [string, string][] = [];
  const list = words(options);
  for (let i = 0; i < list.length; i++) {
    const word = list[i]!;
    let parsed: [string, string] | undefined;
    if (word === '-c') parsed = i + 1 < list.length ? setting(list[++i]!, true) : undefined;
    else if (word.startsWith('-c')) parsed = setting(word.slice(2), true);
    else if (word.startsWith('--')) parsed = setting(word.slice(2), true);
    if (!parsed) return { error: word === '-c' ? '-c needs name=value' : word };
    settings.push(parsed);
  }
  return { settings };
}
