// Checks a figure's SVG (vega's output) against an allowlist and re-serialises it for inlining in report.html.

/** SVG elements vega's SVG renderer writes (and nothing that loads, links or runs anything). */
const ELEMENTS = new Set([
  'svg',
  'g',
  'path',
  'rect',
  'line',
  'circle',
  'ellipse',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'title',
  'desc',
  'defs',
  'linearGradient',
  'radialGradient',
  'stop',
  'clipPath',
]);

/** Presentation and structure attributes (no event handlers, no href, no style). */
const ATTRIBUTE =
  /^(?:aria-[a-z]+|role|class|id|d|x|y|x1|x2|y1|y2|dx|dy|cx|cy|r|rx|ry|fx|fy|width|height|viewBox|version|xmlns|xmlns:xlink|xml:space|transform|points|offset|opacity|display|visibility|cursor|pointer-events|fill|fill-opacity|fill-rule|stroke|stroke-width|stroke-opacity|stroke-dasharray|stroke-dashoffset|stroke-linecap|stroke-linejoin|stroke-miterlimit|font-family|font-size|font-weight|font-style|font-variant|text-anchor|dominant-baseline|alignment-baseline|baseline-shift|letter-spacing|text-decoration|stop-color|stop-opacity|clip-path|clip-rule|clipPathUnits|gradientUnits|gradientTransform|spreadMethod|shape-rendering|text-rendering|textLength|lengthAdjust|preserveAspectRatio|vector-effect|paint-order|mix-blend-mode)$/;

const TAG = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[A-Za-z_:][\w:.-]*\s*=\s*"[^"<]*")*)\s*(\/?)>/y;
const ATTR = /\s+([A-Za-z_:][\w:.-]*)\s*=\s*"([^"<]*)"/g;

/** The result of {@link sanitizeSvg}: the SVG to inline, or why it was refused. */
export type SanitizedSvg = { ok: true; svg: string } | { ok: false; reason: string };

/** One attribute checked and re-serialised (ids and `url(#id)` references get the figure's prefix). */
function attribute(name: string, value: string, prefix: string): string {
  if (!ATTRIBUTE.test(name)) throw new Error(`attribute ${name}`);
  let v = value;
  if (/url\s*\(/i.test(v)) {
    v = v.replace(/url\s*\(\s*#([\w.-]+)\s*\)/g, (_, id: string) => `url(#${prefix}${id})`);
    if (/url\s*\((?!#)/i.test(v)) throw new Error(`a url() outside the figure in ${name}`);
  }
  if (name === 'id') v = `${prefix}${v}`;
  return ` ${name}="${v.replace(/&(?!#?\w+;)/g, '&amp;')}"`;
}

/**
 * Checks an SVG document written by vega (figures/*.svg) and returns it re-serialised from its parsed tags: one
 * `<svg>` root, only {@link ELEMENTS} and allowlisted attributes, no `url()` but references inside the figure,
 * text without markup. Element ids (and their `url(#id)` references) get `prefix` so that several figures on one
 * page do not share gradient or clip ids. Anything else is refused with the reason (the figure is left out).
 */
export function sanitizeSvg(text: string, prefix: string): SanitizedSvg {
  const out: string[] = [];
  const open: string[] = [];
  let i = text.indexOf('<');
  if (i < 0 || text.slice(0, i).trim() !== '') return { ok: false, reason: 'does not start with <svg>' };
  try {
    while (i < text.length) {
      const lt = text.indexOf('<', i);
      const chunk = text.slice(i, lt < 0 ? text.length : lt);
      if (chunk.length > 0) {
        if (open.length === 0 && chunk.trim() !== '') throw new Error('text outside the <svg> element');
        out.push(chunk.replace(/&(?!#?\w+;)/g, '&amp;').replace(/>/g, '&gt;'));
      }
      if (lt < 0) break;
      TAG.lastIndex = lt;
      const m = TAG.exec(text);
      if (!m) throw new Error(`markup at offset ${lt} that is not a plain tag`);
      const [, close, name, attrs, selfClose] = m as unknown as [string, string, string, string, string];
      if (!ELEMENTS.has(name)) throw new Error(`element <${name}>`);
      if (open.length === 0 && (name !== 'svg' || close || out.some((s) => s.startsWith('<'))))
        throw new Error('more than one root element, or a root other than <svg>');
      if (close) {
        if (open.pop() !== name) throw new Error(`unbalanced </${name}>`);
        out.push(`</${name}>`);
      } else {
        const serial = [...attrs.matchAll(ATTR)].map((a) => attribute(a[1]!, a[2]!, prefix)).join('');
        out.push(`<${name}${serial}${selfClose ? '/' : ''}>`);
        if (!selfClose) open.push(name);
      }
      i = TAG.lastIndex;
    }
    if (open.length > 0) throw new Error(`unclosed <${open[open.length - 1]}>`);
    if (out.length === 0) throw new Error('empty');
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  return { ok: true, svg: out.join('') };
}
