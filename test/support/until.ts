/**
 * Polling for the tests: `probe` is called every 100 ms until it gives a
 * value other than undefined, which is returned; past `timeoutMs` the wait
 * fails with "timed out waiting for <what>". A boolean condition is waited
 * for as `() => condition() || undefined`. `what` may be a function, for a
 * message that says what was seen by then (read only on timing out).
 */
export async function until<T>(what: string | (() => string), probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
