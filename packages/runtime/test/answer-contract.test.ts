/** The answer contract's invariant checker: a clean run passes, and each broken promise is named. */
import { describe, expect, it } from '@jest/globals';
import type { CommandRecord } from '../src';
import {
  checkAnswerContract,
  type ContractObservations,
  type ObservedOutcome,
  type SentCommand,
  type StoredCommitItem,
} from '../src/testing';
import { counterDecider } from './support/counter';

const reducer = counterDecider();
const deadline = '2026-12-01T10:00:10.000Z';
const at = Date.parse('2026-12-01T10:00:01.000Z');

const accepted = (commandId: string, streamId = 's-1', fingerprint = `fp-${commandId}`): SentCommand => ({
  commandId,
  answer: { accepted: true, streamId, fingerprint, deadline },
});
const commit = (commitId: string, firstVersion: number, amount: number, total: number): StoredCommitItem => ({
  streamId: 's-1',
  firstVersion,
  lastVersion: firstVersion,
  commitId,
  fingerprint: `fp-${commitId}`,
  deadline,
  storedAt: '2026-12-01T10:00:00.500Z',
  events: [{ type: 'Added', data: { amount }, version: firstVersion }],
  state: { total, count: firstVersion },
  reducerVersion: 1,
});
const stored = (commandId: string, version: number): CommandRecord => ({
  status: 'STORED',
  commandId,
  fingerprint: `fp-${commandId}`,
  streamId: 's-1',
  firstVersion: version,
  version,
  correlationId: commandId,
});
const rejected = (commandId: string, code: 'CONFLICT' | 'TIMEOUT'): CommandRecord => ({
  status: 'REJECTED',
  commandId,
  fingerprint: `fp-${commandId}`,
  streamId: 's-1',
  code,
  message: code,
  correlationId: commandId,
});
const notified = (commandId: string, outcome: Partial<ObservedOutcome>): ObservedOutcome => ({
  streamId: 's-1',
  commandId,
  fingerprint: `fp-${commandId}`,
  status: 'STORED',
  at,
  ...outcome,
});

/** Two adds stored, a third rejected CONFLICT, each notified once and read back. */
function cleanRun(): ContractObservations {
  return {
    commands: [
      accepted('a'),
      accepted('b'),
      accepted('c'),
      { commandId: 'd', answer: { accepted: false, errorType: 'BusinessRuleViolation' } },
    ],
    notifications: [
      notified('a', { version: 1 }),
      notified('b', { version: 2 }),
      notified('c', { status: 'REJECTED', code: 'CONFLICT' }),
    ],
    outcomes: [
      notified('a', { version: 1, at: at + 5 }),
      notified('c', { status: 'REJECTED', code: 'CONFLICT', at: at + 5 }),
    ],
    store: {
      commits: [commit('a', 1, 2, 2), commit('b', 2, 3, 5)],
      records: [stored('a', 1), stored('b', 2), rejected('c', 'CONFLICT')],
    },
    queried: [{ streamId: 's-1', state: { total: 5, count: 2 } }],
  };
}

const violationsOf = (observations: ContractObservations) =>
  checkAnswerContract(observations, { reducer, graceMs: 1_000 }).violations;

describe('checkAnswerContract', () => {
  it('passes a run that keeps every promise, and sums it up', () => {
    const report = checkAnswerContract(cleanRun(), { reducer });
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.summary).toEqual({
      sent: 4,
      accepted: 3,
      refused: 1,
      stored: 2,
      rejected: { CONFLICT: 1 },
      pending: 0,
      notifications: 3,
      repeatedNotifications: 0,
      commits: 2,
    });
  });

  it('accepts repeated notifications of the same outcome (a retry, a redelivery)', () => {
    const run = cleanRun();
    const report = checkAnswerContract({
      ...run,
      notifications: [...run.notifications, notified('a', { version: 1 })],
    });
    expect(report.violations).toEqual([]);
    expect(report.summary.repeatedNotifications).toBe(1);
  });

  it('names a command notified otherwise than its record says', () => {
    const run = cleanRun();
    expect(violationsOf({ ...run, notifications: [...run.notifications, notified('c', { version: 3 })] })).toEqual([
      'command c was notified STORED v3 but its outcome is REJECTED CONFLICT',
    ]);
  });

  it('names an accepted command without a final outcome, and a PENDING answer after the grace', () => {
    const run = cleanRun();
    const late = Date.parse(deadline) + 5_000;
    const violations = violationsOf({
      ...run,
      commands: [...run.commands, accepted('e')],
      outcomes: [notified('e', { status: 'PENDING', fingerprint: null, at: late })],
    });
    expect(violations).toEqual([
      'accepted command e has no final outcome (no record)',
      'the outcome query answered PENDING for e after its deadline and the grace',
    ]);
  });

  it('names a PENDING outcome read after the notification came', () => {
    const run = cleanRun();
    expect(
      violationsOf({ ...run, outcomes: [notified('a', { status: 'PENDING', fingerprint: null, at: at + 1 })] }),
    ).toEqual(['the outcome query answered PENDING for a after it was notified']);
  });

  it('names a commit stored twice, out of sequence, after its deadline, without its record, or rejected', () => {
    const run = cleanRun();
    const twice = { ...commit('b', 3, 3, 8) };
    const late = { ...commit('c', 4, 1, 9), storedAt: '2026-12-01T10:00:10.002Z' };
    expect(violationsOf({ ...run, store: { ...run.store, commits: [...run.store.commits, twice, late] } })).toEqual(
      expect.arrayContaining([
        'commit b is not the one its STORED record names',
        'commit c was stored at 2026-12-01T10:00:10.002Z, after its deadline 2026-12-01T10:00:10.000Z',
        'commit c is stored although its command was rejected (CONFLICT)',
        'commit b is stored 2 times',
      ]),
    );
    const orphan = commit('x', 3, 1, 6);
    expect(
      violationsOf({ ...run, store: { ...run.store, commits: [...run.store.commits, orphan] }, queried: [] }),
    ).toEqual(['commit x is stored without its command record']);
    const gap = { ...commit('b', 3, 3, 5) };
    expect(
      violationsOf({
        ...run,
        store: {
          commits: [commit('a', 1, 2, 2), gap],
          records: [stored('a', 1), { ...stored('b', 3) }, rejected('c', 'CONFLICT')],
        },
        queried: [],
      }),
    ).toContain('stream s-1: commit b does not follow on version 1');
  });

  it('names a STORED record whose commit is missing (half a transaction)', () => {
    const run = cleanRun();
    expect(violationsOf({ ...run, store: { ...run.store, commits: [commit('a', 1, 2, 2)] }, queried: [] })).toEqual([
      'command b is recorded STORED but its commit is missing',
    ]);
  });

  it('names a kept or queried state that is not the fold of the stored events', () => {
    const run = cleanRun();
    const wrongKept = { ...commit('b', 2, 3, 5), state: { total: 6, count: 2 } };
    expect(
      violationsOf({
        ...run,
        store: { ...run.store, commits: [commit('a', 1, 2, 2), wrongKept] },
        queried: [{ streamId: 's-1', state: { total: 4, count: 2 } }],
      }),
    ).toEqual([
      'stream s-1: the state kept with commit b is not the fold of its events',
      'stream s-1: a query answered a state that is not the fold',
    ]);
  });

  it('accepts a query that answered the stream as an earlier stored commit left it, or before any', () => {
    const run = cleanRun();
    const queried = [
      { streamId: 's-1', state: { total: 2, count: 1 } },
      { streamId: 's-1', state: { total: 0, count: 0 } },
      { streamId: 's-1', state: { total: 5, count: 2 } },
    ];
    expect(violationsOf({ ...run, queried })).toEqual([]);
  });

  it('keys commands by fingerprint: a reused command id is a command of its own, rejected COMMAND_ID_REUSED', () => {
    const run = cleanRun();
    const reuse = accepted('a', 's-1', 'fp-other');
    const ok = {
      ...run,
      commands: [...run.commands, reuse],
      notifications: [
        ...run.notifications,
        notified('a', { fingerprint: 'fp-other', status: 'REJECTED', code: 'COMMAND_ID_REUSED' }),
      ],
    };
    expect(violationsOf(ok)).toEqual([]);
    expect(checkAnswerContract(ok).summary.rejected).toEqual({ CONFLICT: 1, COMMAND_ID_REUSED: 1 });
    const wrong = {
      ...ok,
      notifications: [...run.notifications, notified('a', { fingerprint: 'fp-other', version: 1 })],
    };
    expect(violationsOf(wrong)).toEqual([
      'command a was notified STORED v1 but its outcome is REJECTED COMMAND_ID_REUSED',
    ]);
  });

  it('names a command refused at once whose commit is stored anyway', () => {
    const run = cleanRun();
    const refused: SentCommand = { commandId: 'z', answer: { accepted: false, errorType: 'ValidationError' } };
    const orphan = { ...commit('z', 3, 1, 6) };
    expect(
      violationsOf({
        ...run,
        commands: [...run.commands, refused],
        store: { commits: [...run.store.commits, orphan], records: [...run.store.records, stored('z', 3)] },
        queried: [],
      }),
    ).toEqual(['command z was refused (ValidationError) but a commit of its id is stored']);
  });
});
