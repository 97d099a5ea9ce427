/** Markdown helpers shared by the markdown reporters. */

/** Keeps free text from breaking a table row or a line: newlines become spaces, pipes are escaped. */
export function cell(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').replace(/\|/g, '\\|');
}
