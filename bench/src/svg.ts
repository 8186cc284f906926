/**
 * Hand-made SVG bar chart: throughput per scenario (left) and p50/p99 latency per scenario (right). Horizontal bars
 * so long scenario names stay readable; no chart library needed for two panels of bars.
 */
import type { ScenarioResult } from "./results.js";

const ROW = 26;
const LABEL_W = 250;
const PANEL_W = 330;
const GAP = 40;
const TOP = 56;

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(n >= 10 ? 1 : 2);
}

function bar(x: number, y: number, w: number, h: number, fill: string, label: string): string {
  const width = Math.max(1, w);
  return (
    `<rect x="${x}" y="${y}" width="${width.toFixed(1)}" height="${h}" fill="${fill}"/>` +
    `<text x="${(x + width + 4).toFixed(1)}" y="${y + h - 2}" font-size="10">${escapeXml(label)}</text>`
  );
}

export function renderChart(title: string, scenarios: readonly ScenarioResult[]): string {
  const height = TOP + scenarios.length * ROW + 30;
  const width = LABEL_W + 2 * PANEL_W + GAP + 60;
  const maxRps = Math.max(1, ...scenarios.map((s) => s.rps));
  const maxLat = Math.max(1, ...scenarios.map((s) => s.latencyMs.p99));
  const x1 = LABEL_W;
  const x2 = LABEL_W + PANEL_W + GAP;
  const scale = PANEL_W - 70;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${x1}" y="44" font-size="12">throughput (req/s)</text>`,
    `<text x="${x2}" y="44" font-size="12">latency (ms): <tspan fill="#59a14f">p50</tspan> / <tspan fill="#e15759">p99</tspan></text>`,
  ];
  scenarios.forEach((s, i) => {
    const y = TOP + i * ROW;
    parts.push(
      `<text x="${LABEL_W - 8}" y="${y + 15}" font-size="11" text-anchor="end">${escapeXml(s.name)}</text>`,
    );
    parts.push(bar(x1, y + 3, (s.rps / maxRps) * scale, 14, "#4e79a7", fmt(s.rps)));
    parts.push(bar(x2, y + 1, (s.latencyMs.p50 / maxLat) * scale, 9, "#59a14f", fmt(s.latencyMs.p50)));
    parts.push(bar(x2, y + 11, (s.latencyMs.p99 / maxLat) * scale, 9, "#e15759", fmt(s.latencyMs.p99)));
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
