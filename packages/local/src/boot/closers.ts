/**
 * What the boot started, to be closed in the reverse order: the last part started (the bus) stops
 * first, the DynamoDB server last. A failing close is written as a line, and the others still run.
 */
export class Closers {
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(private readonly write: (line: string) => void) {}

  add(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers.reverse()) {
      await close().catch((error: unknown) => this.write(`stop: ${String(error)}`));
    }
    this.closers.length = 0;
  }
}
