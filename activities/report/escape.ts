/**
 * Escaping for the report's two formats. Every piece of text that reaches a
 * report goes through one of these: template labels, notes, reasons and
 * descriptions are written by people and are untrusted.
 */

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content and (double- or single-quoted) attribute values, SVG included. */
export function escapeHtml(value: string | number | null | undefined): string {
  return stripControls(String(value ?? '')).replace(/[&<>"']/g, (c) => htmlEntities[c]!);
}

/**
 * Inline Markdown text: on one line, with every character that could start
 * markup (emphasis, links, images, code, tables, raw HTML, autolinks) made
 * literal. `<`, `>` and `&` become entities, so a renderer that lets raw HTML
 * through still shows the text and never runs it.
 */
export function escapeMarkdown(value: string | number | null | undefined): string {
  const text = stripControls(String(value ?? ''))
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[&<>]/g, (c) => htmlEntities[c]!)
    .replace(/[\\`*_[\]{}()#+!|~]/g, (c) => `\\${c}`);
  // A line that starts with `-`, `=` or `1.` could become a list or a heading underline.
  return text.replace(/^(\s*)([-=])/, '$1\\$2').replace(/^(\s*\d+)\./, '$1\\.');
}

/** Control characters (other than tab and line breaks) carry nothing a reader needs and confuse some viewers. */
function stripControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
}

/** At most `max` characters (code points, so no surrogate pair is cut), with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
