/** The error a call throws, or undefined: for asserting error classes without try/catch in each test. */
export function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}
