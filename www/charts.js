// Small dependency-free SVG charts. Colours: Okabe–Ito palette (colour-blind safe).
const SVG = 'http://www.w3.org/2000/svg';
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text != null) node.textContent = text;
  return node;
}

/**
 * Grouped bar chart: one group per metric, one bar per model, with ±std whiskers.
 * @param {{label: string, metrics: Record<string, {mean: number|null, std: number|null}>}[]} series
 * @param {{key: string, label: string}[]} metrics  metrics with values in [0, 1]
 * @param {{title: string, format: (v: number) => string}} opts
 */
export function metricBars(series, metrics, { title, format }) {
  const groupW = 26 + series.length * 22;
  const left = 36, top = 16, plotH = 170, bottom = 44;
  const width = left + metrics.length * groupW + 10;
  const height = top + plotH + bottom + 10 + 22 * Math.ceil(series.length / 3);
  const svg = el('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title,
  });
  svg.append(el('title', {}, title));
  const y = (v) => top + plotH - Math.max(0, Math.min(1, v)) * plotH;
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(el('line', { x1: left, x2: width - 6, y1: y(tick), y2: y(tick), class: 'grid' }));
    svg.append(el('text', { x: left - 6, y: y(tick) + 4, class: 'tick', 'text-anchor': 'end' }, format(tick)));
  }
  metrics.forEach((m, mi) => {
    const gx = left + mi * groupW + 13;
    series.forEach((s, si) => {
      const stat = s.metrics?.[m.key];
      const mean = stat?.mean;
      if (typeof mean !== 'number' || !Number.isFinite(mean)) return;
      const x = gx + si * 22;
      const bar = el('rect', {
        x, y: y(mean), width: 18, height: Math.max(0.5, y(0) - y(mean)), fill: PALETTE[si % PALETTE.length], class: 'bar',
      });
      bar.append(el('title', {}, `${s.label} · ${m.label}: ${format(mean)}`));
      svg.append(bar);
      const sd = stat?.std;
      if (typeof sd === 'number' && Number.isFinite(sd) && sd > 0) {
        const cx = x + 9;
        svg.append(el('line', { x1: cx, x2: cx, y1: y(mean - sd), y2: y(mean + sd), class: 'whisker' }));
        svg.append(el('line', { x1: cx - 4, x2: cx + 4, y1: y(mean + sd), y2: y(mean + sd), class: 'whisker' }));
        svg.append(el('line', { x1: cx - 4, x2: cx + 4, y1: y(mean - sd), y2: y(mean - sd), class: 'whisker' }));
      }
    });
    svg.append(el('text', {
      x: gx + (series.length * 22 - 4) / 2, y: top + plotH + 16, class: 'axis-label', 'text-anchor': 'middle',
    }, m.label));
  });
  // Legend.
  const ly = top + plotH + bottom - 4;
  series.forEach((s, si) => {
    const col = si % 3, row = Math.floor(si / 3);
    const lx = left + col * 180;
    const yy = ly + row * 22;
    svg.append(el('rect', { x: lx, y: yy - 10, width: 12, height: 12, fill: PALETTE[si % PALETTE.length] }));
    svg.append(el('text', { x: lx + 18, y: yy, class: 'legend' }, s.label));
  });
  return svg;
}
