/**
 * One JSON line per log entry, so CloudWatch Logs Insights (and the local runtime's journey view)
 * can key lines by `correlationId` and `step`.
 */
export type LogFields = Record<string, unknown> & { readonly step?: string; readonly correlationId?: string };

export function logInfo(message: string, fields: LogFields = {}): void {
  console.log(JSON.stringify({ level: 'INFO', message, ...fields }));
}

export function logError(message: string, error: unknown, fields: LogFields = {}): void {
  const detail =
    error instanceof Error ? { errorName: error.name, errorMessage: error.message, stack: error.stack } : { error };
  console.error(JSON.stringify({ level: 'ERROR', message, ...fields, ...detail }));
}
