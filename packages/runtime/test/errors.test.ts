import { describe, expect, it } from '@jest/globals';
import {
  BusinessRuleViolationError,
  ConcurrencyError,
  ConfigurationError,
  DeadlineExceededError,
  DependencyError,
  PayloadTooLargeError,
  ValidationError,
  isCoreError,
  toGraphQLFacingError,
} from '../src/index';

describe('errors', () => {
  it('carry their stable code, category, name and cause', () => {
    const cause = new Error('socket hang up');
    const cases = [
      [new ConcurrencyError('s-1', 1, 2), 'CONFLICT', 'Conflict', 'ConcurrencyError'],
      [new DeadlineExceededError('a', 'b'), 'TIMEOUT', 'Timeout', 'DeadlineExceededError'],
      [new ConfigurationError('X is not set'), 'CONFIGURATION', 'Configuration', 'ConfigurationError'],
      [new PayloadTooLargeError('commit', 2, 1), 'PAYLOAD_TOO_LARGE', 'PayloadTooLarge', 'PayloadTooLargeError'],
      [new DependencyError('NOTIFY_FAILED', 'down', { cause }), 'NOTIFY_FAILED', 'Dependency', 'DependencyError'],
      [
        new BusinessRuleViolationError('STAY_TOO_LONG', 'm'),
        'STAY_TOO_LONG',
        'BusinessRuleViolation',
        'BusinessRuleViolationError',
      ],
      [new ValidationError('INVALID_DATE', 'm', 'dateStart'), 'INVALID_DATE', 'ValidationError', 'ValidationError'],
    ] as const;
    for (const [error, code, category, name] of cases) {
      expect([error.code, error.category, error.name, isCoreError(error)]).toEqual([code, category, name, true]);
    }
    expect(new DependencyError('NOTIFY_FAILED', 'down', { cause }).cause).toBe(cause);
  });

  it('show a client the code and message of a domain error, and nothing of an unexpected one', () => {
    expect(toGraphQLFacingError(new ConcurrencyError('s-1', 1), 'r-1')).toMatchObject({
      name: 'Conflict',
      message: 'CONFLICT: stream s-1 is no longer at version 1',
    });
    expect(toGraphQLFacingError(new Error('secret detail'), 'r-1')).toMatchObject({
      name: 'InternalError',
      message: 'internal error (request r-1)',
    });
  });
});
