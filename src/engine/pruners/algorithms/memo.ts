/**
 * A bounded cache for pure functions of a few plain arguments (numbers, strings, booleans, arrays
 * of them). Pruners plan their schedules from the same handful of integers on every run of a
 * sweep; solving the plan again each run is wasted work inside the measured hooks.
 */

/**
 * `fn` with its results kept for the `capacity` most recently used argument lists (compared by
 * their JSON form, so only pass JSON-exact arguments). Results are deep-frozen and shared between
 * callers: a caller that mutates one gets a TypeError instead of corrupting later runs.
 */
export function memoizePure<A extends readonly unknown[], R>(fn: (...args: A) => R, capacity = 64): (...args: A) => R {
  const cache = new Map<string, R>();
  return (...args: A): R => {
    const key = JSON.stringify(args);
    if (cache.has(key)) {
      const hit = cache.get(key) as R;
      // Re-inserted so the Map's order stays least-recently-used first.
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const value = deepFreeze(fn(...args));
    cache.set(key, value);
    if (cache.size > capacity) cache.delete(cache.keys().next().value!);
    return value;
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
