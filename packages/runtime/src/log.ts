/**
 * One JSON line per log entry, so CloudWatch Logs Insights (and the local runtime's journey view)
 * can key lines by `correlationId` and `step`. The fields readers rely on are the handler log line
 * of `./contract`; a line is built by its {@link formatHandlerLogLine}.
 *
 * Info and error lines carry ids, steps, outcomes and codes, never event data; anything that may
 * quote the input, an event or a state goes to {@link logDebug}, which prints only when the
 * function's application log level is DEBUG or TRACE (Lambda's advanced logging controls set
 * `AWS_LAMBDA_LOG_LEVEL`).
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

export function logDebug(message: string, fields: LogFields = {}): void {
  if (/^(DEBUG|TRACE)$/.test(process.env.AWS_LAMBDA_LOG_LEVEL ?? '')) {
    console.debug(formatHandlerLogLine('DEBUG', message, fields));
  }
}
