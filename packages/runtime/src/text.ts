/** Text helpers for messages that mention what a client sent. */

/** At most a short prefix of a value a client sent, so an error message never echoes a large input. */
export function preview(value: unknown, length = 32): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length <= length ? text : `${text.slice(0, length)}…`;
}
