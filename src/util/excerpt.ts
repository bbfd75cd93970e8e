/**
 * A value read from a file, made safe to quote in a one-line error message: control characters (newlines, escape
 * sequences, NUL) are written as `\n`, `\r`, `\t` or `\xNN` / `\uNNNN`, and the text is cut to `maxChars`
 * characters (with `…` and the full length), so hostile or corrupt files never break or flood the message.
 */
export function excerpt(value: string, maxChars = 60): string {
  const cut = value.length > maxChars ? value.slice(0, maxChars) : value;
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point
  const safe = cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return value.length > maxChars ? `${safe}… (${value.length} characters)` : safe;
}
