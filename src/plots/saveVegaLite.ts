// Renders a vega-lite spec to SVG and PNG (resvg) and saves both with the spec, each file atomically.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';
import { Resvg } from '@resvg/resvg-js';
import { invariant } from '../errors.js';
import { timePhaseAsync } from '../util/phaseTimer.js';

/** Paths written by {@link saveVegaLite}. */
export interface SavedFigure {
  svg: string;
  png: string;
  spec: string;
}

/** Font used when a spec names none available (DejaVu ships with Debian's fonts-dejavu-core). */
const DEFAULT_FONT_FAMILY = 'DejaVu Sans';

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** Renders a vega-lite spec to an SVG string (vega View, renderer 'none'). */
export async function renderVegaLiteSvg(spec: object): Promise<string> {
  // vega annotates inline data in place; compile a copy so the caller's spec (and the saved one) stays clean.
  const vgSpec = compile(structuredClone(spec) as TopLevelSpec).spec;
  const view = new View(parse(vgSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Saves a vega-lite figure as `<outPathNoExt>.svg`, `.png` (the SVG rasterised by resvg at 2x, system fonts with
 * DejaVu Sans as default) and `.vl.json` (the spec itself), each written atomically. Returns the three paths.
 */
export function saveVegaLite(spec: object, outPathNoExt: string): Promise<SavedFigure> {
  return timePhaseAsync('figures', () => renderAndSave(spec, outPathNoExt));
}

async function renderAndSave(spec: object, outPathNoExt: string): Promise<SavedFigure> {
  invariant(outPathNoExt.length > 0, 'saveVegaLite', 'empty output path');
  const specText = `${JSON.stringify(spec, null, 2)}\n`;
  const svg = await renderVegaLiteSvg(spec);
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    font: {
      loadSystemFonts: true,
      defaultFontFamily: DEFAULT_FONT_FAMILY,
      sansSerifFamily: DEFAULT_FONT_FAMILY,
    },
  });
  const png = resvg.render().asPng();
  const out: SavedFigure = {
    svg: `${outPathNoExt}.svg`,
    png: `${outPathNoExt}.png`,
    spec: `${outPathNoExt}.vl.json`,
  };
  await mkdir(dirname(outPathNoExt), { recursive: true });
  await writeAtomic(out.spec, specText);
  await writeAtomic(out.svg, svg);
  await writeAtomic(out.png, png);
  return out;
}
