import { queryError } from '../errors.js';
import { parse } from './generated/odata-query-parser.js';

type StartRule = 'filter' | 'orderby' | 'select' | 'expand' | 'apply' | 'aliasValue';

/**
 * Parses one query option value with the emulator's grammar, turning parser failures into the
 * service's messages: `There is an unterminated literal at position 21 in 'lastname eq 'O'Bryan''.`
 * or `Syntax error at position 8 in 'name eq'.`
 */
export function parseOption<T>(rule: StartRule, text: string): T {
  try {
    return parse(text, { startRule: rule }) as T;
  } catch (error) {
    const unterminated = unterminatedLiteralAt(text);
    if (unterminated !== undefined) throw queryError(`There is an unterminated literal at position ${unterminated} in '${text}'.`);
    const offset = (error as { location?: { start: { offset: number } } }).location?.start.offset;
    if (offset === undefined) throw queryError(`Syntax error in '${text}'.`);
    throw queryError(`Syntax error at position ${offset} in '${text}'.`);
  }
}

/** Where an odd number of quotes leaves a string literal open: the end of the text. */
function unterminatedLiteralAt(text: string): number | undefined {
  let open = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "'") continue;
    if (open && text[i + 1] === "'") {
      i++;
      continue;
    }
    open = !open;
  }
  return open ? text.length : undefined;
}
