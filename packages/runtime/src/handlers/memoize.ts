/** Runs `build` on first use and keeps its result: adapters are built once per cold start. */
export function memoize<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
