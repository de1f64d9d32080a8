// Placeholders in tenant-written text, e.g. "Hi {{lead.first_name}}".
//
// Tenants never write n8n expressions: they write placeholders from a closed grammar, which the
// compiler translates. That keeps arbitrary JavaScript (n8n expressions are JavaScript) out of
// tenant hands, and lets the compiler escape everything else.
//
//   {{lead.<path>}}   a field of the lead on the current item      -> $json.lead.<path>
//   {{item.<path>}}   a field of the current item (e.g. a response) -> $json.<path>
//   {{now}}           current time, ISO 8601 UTC
//   {{now-7d}}        now minus/plus N m(inutes), h(ours), d(ays) or w(eeks)

export type Placeholder =
  | { kind: 'lead'; path: string[] }
  | { kind: 'item'; path: string[] }
  | { kind: 'now'; offset?: { sign: '+' | '-'; amount: number; unit: 'minutes' | 'hours' | 'days' | 'weeks' } };

export type TemplatePart = string | Placeholder;

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const NOW = /^now(?:\s*([+-])\s*(\d{1,4})\s*([mhdw]))?$/;
const UNITS = { m: 'minutes', h: 'hours', d: 'days', w: 'weeks' } as const;

export class TemplateError extends Error {}

/** Splits text into literal strings and placeholders; throws TemplateError on anything else. */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let rest = text;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    if (open === -1) {
      parts.push(rest);
      break;
    }
    if (open > 0) parts.push(rest.slice(0, open));
    const close = rest.indexOf('}}', open + 2);
    if (close === -1) throw new TemplateError(`"{{" is not closed with "}}"`);
    const inner = rest.slice(open + 2, close).trim();
    parts.push(parsePlaceholder(inner));
    rest = rest.slice(close + 2);
  }
  return mergeLiterals(parts);
}

function parsePlaceholder(inner: string): Placeholder {
  const now = NOW.exec(inner);
  if (now) {
    if (!now[1]) return { kind: 'now' };
    return {
      kind: 'now',
      offset: { sign: now[1] as '+' | '-', amount: Number(now[2]), unit: UNITS[now[3] as keyof typeof UNITS] },
    };
  }
  if (PATH.test(inner)) {
    const [root, ...path] = inner.split('.');
    if ((root === 'lead' || root === 'item') && path.length > 0) return { kind: root, path };
  }
  throw new TemplateError(`"{{${inner}}}" is not a known placeholder (use {{lead.field}}, {{item.field}} or {{now}})`);
}

function mergeLiterals(parts: TemplatePart[]): TemplatePart[] {
  const merged: TemplatePart[] = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (typeof part === 'string' && typeof last === 'string') merged[merged.length - 1] = last + part;
    else if (part !== '') merged.push(part);
  }
  return merged;
}

export function placeholdersIn(text: string): Placeholder[] {
  return parseTemplate(text).filter((p): p is Placeholder => typeof p !== 'string');
}

/**
 * JavaScript source reading a placeholder, with `base` as the item's json (`$json` in a
 * per-item parameter, `e` inside a `.map(e => ...)`). Deeper paths use optional chaining so a
 * missing custom field renders empty instead of failing the whole batch.
 */
export function placeholderJs(p: Placeholder, base: string): string {
  if (p.kind === 'now') {
    if (!p.offset) return '$now.toUTC().toISO()';
    const fn = p.offset.sign === '-' ? 'minus' : 'plus';
    return `$now.${fn}({ ${p.offset.unit}: ${p.offset.amount} }).toUTC().toISO()`;
  }
  const root = p.kind === 'lead' ? `${base}.lead` : base;
  const [first, ...rest] = p.path;
  return [`${root}.${first}`, ...rest].join('?.');
}

/**
 * A string as an n8n parameter value: the text itself when it has no placeholders, otherwise an
 * n8n expression string ("=Hi {{ $json.lead.first_name }}").
 */
export function toN8nValue(text: string): string {
  const parts = parseTemplate(text);
  const hasPlaceholder = parts.some((p) => typeof p !== 'string');
  // NOTE: n8n treats ANY parameter string starting with "=" as an expression, so a literal
  // leading "=" must itself go through the expression form to stay literal.
  if (!hasPlaceholder && !text.startsWith('=')) return text;
  return '=' + parts.map((p) => (typeof p === 'string' ? p : `{{ ${placeholderJs(p, '$json')} }}`)).join('');
}

/** A JavaScript string literal that is safe inside an n8n `{{ ... }}` expression. */
export function jsString(value: string): string {
  // NOTE: a literal "}}" ends an n8n expression early (shared/N8N.md), and "{{" would start one,
  // so braces inside string literals are written as unicode escapes.
  return JSON.stringify(value)
    .replace(/\{/g, '\\u007b')
    .replace(/\}/g, '\\u007d')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** JavaScript source evaluating to the template's text, reading placeholders from `base`. */
export function templateJs(text: string, base: string): string {
  const parts = parseTemplate(text);
  if (parts.length === 0) return '""';
  if (parts.length === 1 && typeof parts[0] === 'string') return jsString(parts[0]);
  return parts.map((p) => (typeof p === 'string' ? jsString(p) : `String(${placeholderJs(p, base)} ?? "")`)).join(' + ');
}

/**
 * JavaScript source for a value inside JSON: a string that is exactly one placeholder keeps the
 * field's own type (a score stays a number, tags stay a list); any other string is text.
 */
export function valueJs(text: string, base: string): string {
  const parts = parseTemplate(text);
  if (parts.length === 1 && typeof parts[0] !== 'string') return `(${placeholderJs(parts[0], base)} ?? null)`;
  return templateJs(text, base);
}

/**
 * JavaScript source for a JSON value whose strings may hold placeholders (`keepTypes: false` makes
 * every string text, e.g. for a card that needs text). Objects and arrays are written with spaces
 * between closing braces so the source never contains "}}".
 */
export function jsonJs(value: unknown, base: string, keepTypes = true): string {
  if (typeof value === 'string') return keepTypes ? valueJs(value, base) : templateJs(value, base);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) {
    return value.length === 0 ? '[]' : `[ ${value.map((v) => jsonJs(v, base, keepTypes)).join(', ')} ]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, v]) => `${jsString(k)}: ${jsonJs(v, base, keepTypes)}`).join(', ')} }`;
  }
  throw new TemplateError(`Cannot put a ${typeof value} into JSON`);
}

/** Wraps JavaScript source as a whole-value n8n expression, refusing anything n8n would misparse. */
export function n8nExpression(js: string): string {
  if (js.includes('}}') || js.includes('{{')) {
    throw new Error(`internal: expression source contains a brace pair: ${js}`);
  }
  return `={{ ${js} }}`;
}
