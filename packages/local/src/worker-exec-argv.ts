/**
 * The Node options of the local core's worker threads (the functions' execution environments and the
 * store's thread): none, so that the core's own flags (`--conditions`, a loader) do not leak into
 * them, except a CPU profiler when `LOCAL_CPU_PROF_DIR` names a directory: each thread then writes its
 * `.cpuprofile` there when it ends (`node bench/profile-summary.mjs` sums them).
 */
export function workerExecArgv(env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = env['LOCAL_CPU_PROF_DIR'];
  return dir === undefined || dir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}
