import { ConfigurationError } from './errors';

/** Reads a handler's configuration from its environment, naming whatever is missing or malformed. */
export interface Config {
  /** The variable's value; throws a `ConfigurationError` naming it when unset or empty. */
  required(name: string): string;
  optional(name: string): string | undefined;
  /** A positive integer, `fallback` when unset. */
  integer(name: string, fallback: number): number;
}

/**
 * @example
 * const config = readConfig(process.env);
 * const tableName = config.required('EVENTS_TABLE_NAME');
 */
export function readConfig(env: Readonly<Record<string, string | undefined>>): Config {
  return {
    required(name) {
      const value = env[name];
      if (value === undefined || value === '') {
        throw new ConfigurationError(`environment variable ${name} is not set`);
      }
      return value;
    },
    optional(name) {
      const value = env[name];
      return value === '' ? undefined : value;
    },
    integer(name, fallback) {
      const value = env[name];
      if (value === undefined || value === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed <= 0) {
        throw new ConfigurationError(`environment variable ${name} must be a positive integer, got "${value}"`);
      }
      return parsed;
    },
  };
}
