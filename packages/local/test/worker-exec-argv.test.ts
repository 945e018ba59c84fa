/** The worker threads' Node options: none, or the CPU profiler when LOCAL_CPU_PROF_DIR is set. */
import { describe, expect, it } from '@jest/globals';
import { workerExecArgv } from '../src/worker-exec-argv';

describe('workerExecArgv', () => {
  it("passes none of the core's own options to its threads", () => {
    expect(workerExecArgv({})).toEqual([]);
    expect(workerExecArgv({ LOCAL_CPU_PROF_DIR: '' })).toEqual([]);
  });

  it('profiles every thread into LOCAL_CPU_PROF_DIR', () => {
    expect(workerExecArgv({ LOCAL_CPU_PROF_DIR: '/tmp/prof' })).toEqual(['--cpu-prof', '--cpu-prof-dir=/tmp/prof']);
  });
});
