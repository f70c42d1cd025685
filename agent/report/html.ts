/**
 * HTML built with a tagged template that escapes every interpolated value unless it is
 * already-built HTML: strings from machines (device names, serials, hostnames) can never become
 * markup. There is no way to interpolate raw text except through `trustedHtml`, used only for
 * constants of our own (the stylesheet).
 */

const RAW = Symbol('html');

export interface Html {
  readonly [RAW]: string;
}

export function trustedHtml(markup: string): Html {
  return { [RAW]: markup };
}

export function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && RAW in value;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escape text for HTML content and quoted attributes; control characters become visible. */
export function escapeHtml(text: string): string {
  return text
    .replace(/[&<>"'`]/g, (c) => ESCAPES[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (isHtml(value)) return value[RAW];
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return trustedHtml(out);
}

export function htmlToString(fragment: Html): string {
  return fragment[RAW];
}
