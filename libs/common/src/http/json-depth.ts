/** Deeper JSON is refused before parsing, since validation recurses per level (docs/security.md). */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * True when the JSON text nests arrays/objects deeper than `max`. One pass over UTF-8 bytes,
 * outside strings, without parsing: cheap enough to run before `JSON.parse`, so 5,000 nested
 * arrays never reach the parser, class-transformer or class-validator (whose recursion
 * overflows the stack: a 500 for bad input). Bytes of `"`, `\`, brackets and braces never occur
 * inside a multi-byte UTF-8 sequence, so scanning bytes is exact. Malformed text may be
 * misjudged either way; JSON.parse refuses it next anyway.
 */
export function exceedsJsonDepth(bytes: Uint8Array, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}
