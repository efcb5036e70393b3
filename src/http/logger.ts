import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRedactor, type Redactor } from './redact.js';

/**
 * Logging by verbosity, as the established connectors do it:
 * 1 errors and statement summaries, 2 request lines and timings, 3 headers, 4 bodies,
 * 5 connection and TLS details. Every line goes through the redactor first.
 */
export type LogLevel = 1 | 2 | 3 | 4 | 5;

export interface Logger {
  readonly verbosity: LogLevel;
  /** true when a line at `level` would be written (skip building expensive text otherwise) */
  enabled(level: LogLevel): boolean;
  log(level: LogLevel, message: string): void;
  readonly redact: Redactor;
}

export interface LoggerSettings {
  verbosity?: LogLevel;
  logFile?: string;
  logSink?: (line: string) => void;
  secrets?: readonly string[];
}

const LABEL: Record<LogLevel, string> = { 1: 'INFO ', 2: 'REQ  ', 3: 'HEAD ', 4: 'BODY ', 5: 'CONN ' };

/**
 * A logger writing to the sink and/or the Log File. With neither, nothing is written and `enabled()`
 * is false, so callers pay nothing. File writes are synchronous appends so a crash keeps the last lines.
 */
export function createLogger(settings: LoggerSettings): Logger {
  const verbosity = settings.verbosity ?? 1;
  const redact = createRedactor(settings.secrets ?? []);
  const sinks: Array<(line: string) => void> = [];
  if (settings.logSink) sinks.push(settings.logSink);
  if (settings.logFile) {
    const file = settings.logFile;
    mkdirSync(dirname(file), { recursive: true });
    sinks.push((line) => appendFileSync(file, `${line}\n`, { mode: 0o600 }));
  }
  const active = sinks.length > 0;
  return {
    verbosity,
    redact,
    enabled: (level) => active && level <= verbosity,
    log(level, message) {
      if (!active || level > verbosity) return;
      const stamp = new Date().toISOString();
      for (const line of redact(message).split('\n')) {
        const text = `${stamp} ${LABEL[level]}${line}`;
        for (const sink of sinks) sink(text);
      }
    },
  };
}
