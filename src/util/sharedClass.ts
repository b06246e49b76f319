// `instanceof` across lazily loaded chunks. A command loaded as its own chunk (scripts/bundles.mjs) carries its own
// copy of every module it shares with the main bundle, so an error thrown by the main bundle's ArmClient is not an
// instance of the chunk's copy of ArmRequestError. The classes that cross that boundary mark their instances with a
// process-wide symbol, and their `instanceof` accepts an instance of any copy.

/** The mark of `name`'s instances, the same symbol in every copy of the module. */
export function classMark(name: string): symbol {
  return Symbol.for(`federatedCredentials.${name}`);
}

/**
 * For `static [Symbol.hasInstance]`: true for an instance of `cls` (or a subclass) of this copy, and, when `cls` is
 * `base` itself, for an instance of any copy of `base` (it carries `mark`).
 */
export function isInstanceAcrossCopies(cls: unknown, base: unknown, mark: symbol, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(cls, value)) return true;
  return cls === base && typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[mark] === true;
}
