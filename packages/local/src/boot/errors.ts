/** The local core cannot boot or serve the assembly as it is; the message says what to change. */
export class LocalCoreError extends Error {
  readonly code = 'LOCAL_CORE';
  constructor(message: string) {
    super(message);
    this.name = 'LocalCoreError';
  }
}
