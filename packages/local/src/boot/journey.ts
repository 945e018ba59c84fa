/**
 * The run command's view of each command's journey: one line per step (command handler, bus, rule,
 * event handler, notification, fan-out), keyed by correlation id, with durations. Steps come from the
 * functions' log lines, read as the runtime's contract defines them (`@core/runtime/contract`), and
 * from the local services (`./journey-probes`).
 */
import { parseHandlerLogLine, type HandlerLogLine } from '@core/runtime/contract';

export type JourneyStepName = 'command' | 'bus' | 'rule' | 'store' | 'notify' | 'report' | 'fan-out';

export interface JourneyStep {
  readonly correlationId: string;
  readonly step: JourneyStepName;
  readonly text: string;
  readonly durationMs?: number;
}

export interface Journey {
  /** Records a step and writes its line. */
  record(step: JourneyStep): void;
  /**
   * Reads one line a function printed. A JSON log line with `step` and `correlationId` becomes a
   * journey line; anything else is written as the function's own output. Returns the step, if any.
   */
  functionLine(functionName: string, line: string): JourneyStep | undefined;
  /** The correlation id a command id belongs to, once its command handler has logged it. */
  correlationOf(commandId: string): string | undefined;
}

export function createJourney(write: (line: string) => void, options: { verbose?: boolean } = {}): Journey {
  const correlationByCommand = new Map<string, string>();

  const record = (step: JourneyStep): void => {
    const time = new Date().toISOString().slice(11, 23);
    const duration = step.durationMs === undefined ? '' : `  ${step.durationMs.toFixed(0)} ms`;
    write(`${time}  ${step.correlationId.slice(0, 13).padEnd(13)}  ${step.step.padEnd(8)}  ${step.text}${duration}`);
  };

  return {
    record,
    correlationOf: (commandId) => correlationByCommand.get(commandId),
    functionLine(functionName, line) {
      const parsed = parseHandlerLogLine(line);
      if (parsed?.step === undefined || parsed.correlationId === undefined) {
        if (options.verbose === true || /"level":"ERROR"|Error|error/.test(line))
          write(`${''.padStart(12)}[${functionName}] ${line}`);
        return undefined;
      }
      if (parsed.commandId !== undefined) correlationByCommand.set(parsed.commandId, parsed.correlationId);
      const step = toStep(functionName, parsed);
      if (step !== undefined) record(step);
      return step;
    },
  };
}

function toStep(functionName: string, line: HandlerLogLine): JourneyStep | undefined {
  const correlationId = line.correlationId ?? '';
  const stream = line.streamId === undefined ? '' : ` ${line.streamId.slice(0, 8)}`;
  switch (line.step) {
    case 'command':
      return {
        correlationId,
        step: 'command',
        text:
          line.outcome === 'refused'
            ? `${functionName}: ${line.field ?? ''} refused: ${line.reason ?? line.errorType ?? ''}`
            : `${functionName}: ${line.field ?? ''} ${line.outcome ?? ''}${stream}${line.version === undefined ? '' : ` v${line.version}`}`,
        durationMs: line.durationMs,
      };
    case 'store':
      return {
        correlationId,
        step: 'store',
        text: `${functionName}: ${line.outcome ?? ''}${stream}${line.version === undefined ? '' : ` v${line.version}`}`,
        durationMs: line.durationMs,
      };
    case 'notify':
      return {
        correlationId,
        step: 'notify',
        text: `${functionName}: ${line.status ?? ''}`,
        durationMs: line.durationMs,
      };
    case 'report':
      return {
        correlationId,
        step: 'report',
        text: `${functionName}: ${line.status ?? ''} → saga`,
        durationMs: line.durationMs,
      };
    case 'query':
    case 'dead-letter':
    case undefined:
      return undefined;
    default: {
      // A step the contract gained: the journey must learn to show it.
      const unknown: never = line.step;
      return unknown;
    }
  }
}
