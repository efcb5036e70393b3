/**
 * The interactive session: read SQL (several lines until `;` or a `GO` line), run it, print it.
 *
 * Keys: Tab completes (completer.ts); Ctrl-C cancels the running statement, clears the line being
 * typed, and at an empty prompt pressed twice quits, as do Ctrl-D and `\q`. An error never ends the
 * session. Lines are handled strictly in order, even when pasted faster than statements run.
 */
import { createInterface, type Interface } from 'node:readline';
import type { Catalog } from '../index.js';
import { complete } from './completer.js';
import { appendHistory, HISTORY_LIMIT, loadHistory } from './history.js';
import { runMetaCommand } from './meta-commands.js';
import type { OutputSink } from './output-sink.js';
import { uncommitted, type Session } from './session.js';
import { splitStatements } from './split-statements.js';
import { terminalPager } from './pager.js';

export const PROMPT = 'dynasql> ';
export const CONTINUATION_PROMPT = 'dynasql-> ';
/** inside a transaction (BEGIN TRAN … COMMIT), as psql marks it with `*` */
export const TRANSACTION_PROMPT = 'dynasql*> ';

export interface ReplOptions {
  /** builds the session; the REPL supplies the yes/no question used to confirm large writes */
  createSession: (confirm: (question: string) => Promise<boolean>) => Session;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** true on a real terminal: line editing, completion, Ctrl-C handling */
  terminal: boolean;
  /** the terminal sink results go back to after `\o` with no file */
  terminalOut: OutputSink;
  historyFile?: string;
  /** printed once before the first prompt */
  banner?: string;
  /** the environment the pager is chosen from (`PAGER`); results longer than the terminal are paged */
  env?: NodeJS.ProcessEnv;
}

export async function runRepl(options: ReplOptions): Promise<number> {
  let buffer = '';
  let running: AbortController | undefined;
  let answer: ((line: string) => void) | undefined;
  let interruptedAtEmptyPrompt = false;
  let closed = false;
  let quitting = false;
  let catalog: Catalog | undefined;

  const confirm = (question: string) =>
    new Promise<boolean>((resolve) => {
      options.output.write(question);
      answer = (line) => resolve(/^\s*y(es)?\s*$/i.test(line));
    });
  const session = options.createSession(confirm);

  // The catalog for completion loads in the background; completion works without it meanwhile.
  session.conn.catalog().then(
    (c) => (catalog = c),
    () => undefined,
  );

  const rl: Interface = createInterface({
    input: options.input,
    output: options.output,
    terminal: options.terminal,
    prompt: PROMPT,
    historySize: HISTORY_LIMIT,
    removeHistoryDuplicates: true,
    history: options.historyFile ? loadHistory(options.historyFile) : [],
    completer: (line: string): [string[], string] => {
      const before = buffer ? `${buffer}\n${line}` : line;
      const statement = buffer ? `${buffer}\n${rl.line}` : rl.line;
      try {
        return complete(before, statement, catalog);
      } catch {
        // an odd catalog must never take the session down: no suggestions instead
        return [[], ''];
      }
    },
  });

  if (options.terminal) {
    const input = options.input as NodeJS.ReadableStream & { setRawMode?: (raw: boolean) => void; isTTY?: boolean };
    session.pager = terminalPager({
      env: options.env ?? {},
      stdout: options.output,
      // the pager reads the keyboard itself; readline must neither take the keys nor keep raw mode
      suspendInput: () => {
        rl.pause();
        if (input.isTTY) input.setRawMode?.(false);
      },
      resumeInput: () => {
        if (input.isTTY) input.setRawMode?.(true);
        rl.resume();
      },
    });
  }

  const prompt = () => {
    if (closed) return;
    rl.setPrompt(buffer ? CONTINUATION_PROMPT : session.conn.transaction ? TRANSACTION_PROMPT : PROMPT);
    rl.prompt();
  };

  /** Lines of the statement being typed, for its history entry. */
  let typedLines: string[] = [];

  /**
   * Keeps one history entry per statement: the lines of a multi-line statement are joined into one
   * (`SELECT name` + `FROM account;` → `SELECT name FROM account;`), so the up arrow brings the
   * statement back whole. Lines holding a `--` comment stay as typed, since joining would comment
   * out what follows.
   */
  const remember = (lines: string[]) => {
    const kept = lines.filter((l) => l.trim() !== '');
    if (kept.length === 0) return;
    const joinable = kept.length > 1 && !kept.some((l) => l.includes('--'));
    const entries = joinable ? [kept.map((l) => l.trim()).join(' ')] : kept;
    if (joinable) {
      // readline has already added each line (newest first); put the joined entry in their place
      const history = (rl as unknown as { history?: string[] }).history;
      if (history) {
        for (let i = kept.length - 1; i >= 0 && history[0] === kept[i]; i--) history.shift();
        history.unshift(entries[0]!);
      }
    }
    if (!options.historyFile) return;
    for (const entry of entries) {
      const failed = appendHistory(options.historyFile, entry);
      if (failed) {
        session.info(`Could not write history to ${options.historyFile}: ${failed.message}`);
        options.historyFile = undefined;
        return;
      }
    }
  };

  const handleLine = async (line: string) => {
    if (quitting) return;
    running = new AbortController();
    try {
      if (/^\s*\\/.test(line)) {
        remember([line]);
        await runMetaCommand(line, {
          session,
          signal: running.signal,
          defaultOut: options.terminalOut,
          quit: () => {
            quitting = true;
            rl.close();
          },
        });
        return;
      }
      typedLines.push(line);
      buffer = buffer ? `${buffer}\n${line}` : line;
      const { statements, rest, restHasCode } = splitStatements(buffer);
      buffer = restHasCode ? rest.replace(/^\s*\n/, '') : '';
      if (statements.length > 0) {
        remember(typedLines);
        typedLines = buffer ? [buffer] : [];
      }
      for (const statement of statements) {
        if (running.signal.aborted) break;
        await session.execute(statement.sql, running.signal);
      }
    } finally {
      running = undefined;
    }
  };

  let queue = Promise.resolve();
  rl.on('line', (line) => {
    interruptedAtEmptyPrompt = false;
    if (answer) {
      const reply = answer;
      answer = undefined;
      reply(line);
      return;
    }
    queue = queue.then(() => handleLine(line)).then(prompt, (error: unknown) => {
      session.error(error);
      prompt();
    });
  });

  rl.on('SIGINT', () => {
    if (answer) {
      const reply = answer;
      answer = undefined;
      options.output.write('\n');
      reply('');
      return;
    }
    if (running) {
      running.abort();
      return;
    }
    if (rl.line !== '' || buffer !== '') {
      buffer = '';
      typedLines = [];
      // readline keeps the typed text in these two fields; clearing them drops the half-typed line
      const editable = rl as unknown as { line: string; cursor: number };
      editable.line = '';
      editable.cursor = 0;
      interruptedAtEmptyPrompt = false;
      options.output.write('^C\n');
      prompt();
      return;
    }
    if (interruptedAtEmptyPrompt) {
      options.output.write('\n');
      quitting = true;
      rl.close();
      return;
    }
    interruptedAtEmptyPrompt = true;
    options.output.write('\n(To quit, press Ctrl-C again, or type \\q)\n');
    prompt();
  });

  const ended = new Promise<void>((resolve) =>
    rl.on('close', () => {
      // input ended while a question waited for its answer: that is a no
      answer?.('');
      answer = undefined;
      resolve();
    }),
  );
  if (options.banner) options.output.write(`${options.banner}\n`);
  prompt();
  await ended;
  closed = true;
  // a statement still running when input ends (piped into a terminal session) finishes first
  await queue;
  if (options.terminal) options.output.write('\n');
  const open = session.conn.transaction;
  if (open?.isOpen) options.output.write(`${uncommitted(open.pendingOperations)}\n`);
  session.out.close();
  return 0;
}
