/**
 * Escaping for the two places report.html puts data: HTML text and attributes, and JSON or
 * JavaScript inside a <script> element (where "</script>" or "<!--" in a scenario name would
 * otherwise end or derail the element).
 */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in HTML content and in quoted attribute values. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => HTML[c] as string);
}

/**
 * JSON safe inside <script type="application/json">: every <, > and & is written as a \u escape
 * (only strings can hold them, where the escape means the same), and so are U+2028/2029.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Library code safe inside a <script> element. "</script" and "<!--" can only occur in its strings,
 * regular expressions or comments, where "<\/" and "<\!--" mean the same; the minified vega build
 * has neither today, this keeps it so.
 */
export function scriptText(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
