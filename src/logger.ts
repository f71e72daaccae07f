import { pino, type Logger } from 'pino';

export type { Logger };

/** The one logger: JSON lines on stdout, one child per process role and per request/workflow. */
export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
