/**
 * One JSON line per log entry, so CloudWatch Logs Insights (and the local runtime's journey view)
 * can key lines by `correlationId` and `step`. The fields readers rely on are the handler log line
 * of `./contract`; a line is built by its {@link formatHandlerLogLine}.
 */
import { formatHandlerLogLine, type LogFields } from './contract';

export type { LogFields } from './contract';

export function logInfo(message: string, fields: LogFields = {}): void {
  console.log(formatHandlerLogLine('INFO', message, fields));
}

export function logError(message: string, error: unknown, fields: LogFields = {}): void {
  const detail =
    error instanceof Error ? { errorName: error.name, errorMessage: error.message, stack: error.stack } : { error };
  console.error(formatHandlerLogLine('ERROR', message, { ...fields, ...detail }));
}
