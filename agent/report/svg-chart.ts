import { html, type Html } from './html.js';

export interface Bar {
  label: string;
  value: number;
  /** A CSS colour of ours (never from a machine). */
  color?: string;
}

/**
 * A horizontal bar chart as inline SVG: no script, no external resource, prints as vector.
 * Labels are escaped like every other interpolation.
 */
export function barChart(bars: readonly Bar[], options: { title: string; width?: number } ): Html {
  const width = options.width ?? 560;
  const rowHeight = 22;
  const labelWidth = 180;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * rowHeight + 8;
  const rows = bars.map((bar, i) => {
    const y = 4 + i * rowHeight;
    const length = Math.round(((width - labelWidth - 50) * bar.value) / max);
    return html`<text x="${labelWidth - 6}" y="${y + 15}" text-anchor="end" class="chart-label">${bar.label}</text>
<rect x="${labelWidth}" y="${y + 3}" width="${length}" height="${rowHeight - 8}" fill="${bar.color ?? '#b22222'}"></rect>
<text x="${labelWidth + length + 4}" y="${y + 15}" class="chart-value">${bar.value}</text>`;
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${options.title}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<title>${options.title}</title>
${rows}
</svg>`;
}
