import { BusinessRuleViolationError, type Decider } from '../../src/index';

/** A tiny decider for testing the toolkit itself: a counter that refuses to go below zero. */
export type CounterCommand = { type: 'Add'; data: { amount: number; note?: string } };
export type CounterEvent = { type: 'Added'; data: { amount: number; note?: string } };
export interface CounterState {
  readonly total: number;
  readonly count: number;
}

export function counterDecider(reducerVersion = 1): Decider<CounterCommand, CounterEvent, CounterState> {
  return {
    initialState: { total: 0, count: 0 },
    reducerVersion,
    decide(command, state) {
      if (state.total + command.data.amount < 0) {
        throw new BusinessRuleViolationError('BELOW_ZERO', `the total ${state.total} cannot go below zero`);
      }
      return [{ type: 'Added', data: command.data }];
    },
    evolve(state, event) {
      return { total: state.total + event.data.amount, count: state.count + 1 };
    },
  };
}
