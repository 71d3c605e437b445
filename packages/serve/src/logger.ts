/**
 * Structured logs: one JSON object per line (time, level, msg, then fields), so a log shipper or `jq`
 * can read them. Kept tiny on purpose: the server logs its start-up choices, errors always, and one line
 * per request only at `debug`, where the cost of formatting is accepted.
 */
import type { LogLevel } from './options.js';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export type LogFields = Record<string, unknown>;
export type LogSink = (line: string) => void;

export class Logger {
  constructor(
    readonly level: LogLevel,
    private readonly sink: LogSink = (line) => process.stdout.write(line + '\n'),
    private readonly base: LogFields = {},
  ) {}

  enabled(level: LogLevel): boolean {
    return RANK[level] <= RANK[this.level];
  }

  error(msg: string, fields?: LogFields): void {
    this.write('error', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.write('warn', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.write('info', msg, fields);
  }
  debug(msg: string, fields?: LogFields): void {
    this.write('debug', msg, fields);
  }

  private write(level: LogLevel, msg: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const record = { time: new Date().toISOString(), level, msg, ...this.base, ...fields };
    this.sink(JSON.stringify(record, errorReplacer));
  }
}

/** Errors serialise as their name, code, message and (for logs only) stack, with causes. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      ...(code === undefined ? {} : { code }),
      message: value.message,
      stack: value.stack,
      ...(value.cause === undefined ? {} : { cause: value.cause }),
    };
  }
  return value;
}

/** A logger that keeps its lines in memory (tests, benchmarks). */
export function memoryLogger(level: LogLevel = 'debug'): { logger: Logger; lines: LogFields[] } {
  const lines: LogFields[] = [];
  return { logger: new Logger(level, (line) => lines.push(JSON.parse(line) as LogFields)), lines };
}
