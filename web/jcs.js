// RFC 8785 JSON Canonicalization Scheme (JCS): the one byte string a JSON value has, so the phone and
// the agent (Python's `rfc8785`) hash exactly the same bytes. JCS is ECMAScript's own JSON output
// with object keys sorted by their UTF-16 code units: `JSON.stringify` already writes strings
// (minimal escapes, lower-case \u00xx) and numbers (Number::toString) the way JCS asks, and
// `Array.prototype.sort` without a comparator compares UTF-16 code units. What JCS forbids is refused
// rather than guessed: non-finite numbers, lone surrogates, and values JSON has no form for.
// tests/web/test_signed_intents_web.py checks it against `rfc8785` on awkward values.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

function wellFormed(text) {
  return typeof text.isWellFormed === "function" ? text.isWellFormed() : !LONE_SURROGATE.test(text);
}

/** The JCS text of `value` (null, booleans, finite numbers, strings, arrays and plain objects). */
export function canonicalize(value) {
  if (value === null || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("JCS has no form for a non-finite number");
    return JSON.stringify(value); // -0 becomes "0", as JCS says
  }
  if (typeof value === "string") {
    if (!wellFormed(value)) throw new TypeError("JCS refuses a string with a lone surrogate");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(",")}]`;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${canonicalize(key)}:${canonicalize(value[key])}`).join(",")}}`;
  }
  throw new TypeError(`JCS has no form for ${typeof value}`);
}

/** The UTF-8 bytes that are hashed. */
export const canonicalBytes = (value) => new TextEncoder().encode(canonicalize(value));
