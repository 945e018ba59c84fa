/**
 * `Promise.withResolvers` (ES2024) for Node 20. aws-local-stepfunctions 3 calls it while
 * running Task states; Node 22 has it natively. Import this module before that library.
 */

type WithResolvers = <T>() => {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
};

/**
 * Installs `Promise.withResolvers` when the runtime lacks it; does nothing otherwise.
 *
 * @example
 * ```ts
 * installPromiseWithResolvers();
 * ```
 */
export function installPromiseWithResolvers(): void {
  const promiseConstructor = Promise as PromiseConstructor & { withResolvers?: WithResolvers };
  if (typeof promiseConstructor.withResolvers === 'function') {
    return;
  }
  const withResolvers: WithResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
  Object.defineProperty(Promise, 'withResolvers', { value: withResolvers, configurable: true, writable: true });
}

installPromiseWithResolvers();
