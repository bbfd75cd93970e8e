// The report's SVG allowlist: vega's figures pass unchanged (ids prefixed); anything that loads or runs is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confusionSpec, labelFractionSpec, renderVegaLiteSvg } from '../../src/plots/index.js';
import { sanitizeSvg } from '../../src/report/index.js';

test('vega figures pass the allowlist; ids and their url(#id) references get the prefix', async () => {
  const curve = await renderVegaLiteSvg(
    labelFractionSpec(
      [
        { task: 'arousal', arm: 'with SSL', fraction: 0.1, mean: 0.7, std: 0.1 },
        { task: 'arousal', arm: 'with SSL', fraction: 1, mean: 0.8, std: 0.05 },
      ],
      'curve',
    ),
  );
  const confusion = await renderVegaLiteSvg(
    confusionSpec(
      [
        [5, 1],
        [2, 7],
      ],
      'a & b',
    ),
  );
  for (const svg of [curve, confusion]) {
    const r = sanitizeSvg(svg, 'f7-');
    assert.ok(r.ok, r.ok ? '' : r.reason);
    const ids = [...svg.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!);
    let expected = svg;
    for (const id of ids)
      expected = expected
        .replaceAll(`id="${id}"`, `id="f7-${id}"`)
        .replaceAll(`url(#${id})`, `url(#f7-${id})`);
    // Re-serialised from the parsed tags: identical to vega's text but for the prefixed ids (and `/>` spacing).
    assert.equal(r.svg.replace(/\s*\/>/g, '/>'), expected.replace(/\s*\/>/g, '/>'));
  }
  assert.match(confusion, /<linearGradient id="/, 'the confusion legend has a gradient id to prefix');
});

test('anything that could load, link or run is refused with the reason', () => {
  const wrap = (inner: string): string =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">${inner}</svg>`;
  const bad: [string, RegExp][] = [
    [wrap('<script>alert(1)</script>'), /element <script>/],
    [wrap('<g onload="alert(1)"></g>'), /attribute onload/],
    [wrap('<image href="http://example.com/x.png"/>'), /element <image>/],
    [wrap('<a href="javascript:alert(1)"><text>x</text></a>'), /element <a>/],
    [wrap('<rect style="fill:red"/>'), /attribute style/],
    [wrap('<rect fill="url(http://example.com/p)"/>'), /url\(\) outside the figure/],
    [wrap('<foreignObject><div/></foreignObject>'), /element <foreignObject>/],
    [wrap('<!-- x -->'), /not a plain tag/],
    [wrap('<g>'), /unclosed <g>|unbalanced/],
    [wrap('</g>'), /unbalanced <\/g>/],
    [`${wrap('')}<svg></svg>`, /more than one root/],
    ['<g></g>', /root other than <svg>/],
    [`text ${wrap('')}`, /does not start with <svg>/],
    [`${wrap('')} trailing`, /text outside the <svg> element/],
    [wrap('<rect x=1/>'), /not a plain tag/],
  ];
  for (const [svg, reason] of bad) {
    const r = sanitizeSvg(svg, 'p-');
    assert.equal(r.ok, false, svg);
    if (!r.ok) assert.match(r.reason, reason, svg);
  }
});

test('text content keeps its entities; stray & and > are escaped', () => {
  const r = sanitizeSvg('<svg><text>a &amp; b & c > d</text></svg>', 'p-');
  assert.ok(r.ok);
  assert.equal(r.svg, '<svg><text>a &amp; b &amp; c &gt; d</text></svg>');
});
