// @ts-check
// Settings come from `k6 run -e NAME=value` or the environment; each script documents its own.

/**
 * @param {string} name
 * @param {string} fallback
 */
export function env(name, fallback) {
  const value = __ENV[name];
  return value === undefined || value === "" ? fallback : value;
}

/**
 * @param {string} name
 * @param {number} fallback
 */
export function envNumber(name, fallback) {
  const value = Number(env(name, String(fallback)));
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number, was ${__ENV[name]}`);
  }
  return value;
}

/** The test's length, for every scenario of a script. */
export const DURATION = env("DURATION", "30s");
