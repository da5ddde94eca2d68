import type { ModelMetrics } from './metrics';

/** Rendering of a calibration for people: a Markdown table for Slack or docs, an SVG lift chart. */

export interface RuleRow {
	name: string;
	category: string;
	currentPoints: number;
	suggestedPoints: number;
	fireRateConverted: number | null;
	fireRateNotConverted: number | null;
	lift: number | null;
}

const percent = (value: number | null): string => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);
const times = (value: number | null): string => (value === null ? '–' : `${value.toFixed(1)}×`);
const plain = (value: number | null): string => (value === null ? '–' : String(value));
const cell = (text: string): string => text.replace(/\|/g, '\\|');

export interface MarkdownInput {
	accounts: number;
	converted: number;
	evaluatedOn: string;
	columns: Array<{ title: string; threshold: number | null; metrics: ModelMetrics }>;
	rules: RuleRow[];
}

export function markdownReport(input: MarkdownInput): string {
	const header = `| metric | ${input.columns.map((column) => cell(column.title)).join(' | ')} |`;
	const rule = `|---|${input.columns.map(() => '---:').join('|')}|`;
	const row = (label: string, value: (metrics: ModelMetrics, threshold: number | null) => string) =>
		`| ${label} | ${input.columns.map((column) => value(column.metrics, column.threshold)).join(' | ')} |`;
	const metrics = [
		header,
		rule,
		row('threshold', (_, threshold) => plain(threshold)),
		row('PQLs', (m) => `${m.pqls} (${percent(m.pqlShare)})`),
		row('PQL → paid', (m) => percent(m.pqlConversion)),
		row('non-PQL → paid', (m) => percent(m.nonPqlConversion)),
		row('lift', (m) => times(m.lift)),
		row('precision', (m) => percent(m.precision)),
		row('recall', (m) => percent(m.recall)),
		row('conversions in top tier', (m) => percent(m.topTierShareOfConversions)),
		row('AUC', (m) => plain(m.auc === null ? null : Math.round(m.auc * 1000) / 1000)),
	];
	const rules = [
		'| rule | category | current points | suggested points | fires among converters | among non-converters | lift |',
		'|---|---|---:|---:|---:|---:|---:|',
		...input.rules.map(
			(r) =>
				`| ${cell(r.name)} | ${r.category} | ${r.currentPoints} | ${r.suggestedPoints === 0 ? '0 (drop)' : r.suggestedPoints} | ${percent(r.fireRateConverted)} | ${percent(r.fireRateNotConverted)} | ${times(r.lift)} |`,
		),
	];
	return [
		`**PQL calibration**: ${input.accounts} accounts, ${input.converted} converted; metrics on ${input.evaluatedOn}.`,
		'',
		...metrics,
		'',
		...rules,
	].join('\n');
}

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Conversion by score decile (highest scores first), one bar per model and decile. */
export function liftChartSvg(series: Array<{ label: string; deciles: number[]; color: string }>, title: string): string {
	const width = 640;
	const height = 360;
	const left = 56;
	const right = 16;
	const top = 48;
	const bottom = 56;
	const plotWidth = width - left - right;
	const plotHeight = height - top - bottom;
	const highest = Math.max(0.01, ...series.flatMap((s) => s.deciles));
	const step = highest > 0.5 ? 0.2 : highest > 0.2 ? 0.1 : highest > 0.1 ? 0.05 : 0.02;
	const ceiling = Math.ceil(highest / step) * step;
	const y = (value: number) => top + plotHeight - (value / ceiling) * plotHeight;
	const group = plotWidth / 10;
	const barWidth = (group * 0.8) / Math.max(series.length, 1);
	const parts: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
		`<rect width="${width}" height="${height}" fill="#FFFFFF"/>`,
		`<text x="${left}" y="20" font-size="15" font-weight="bold" fill="#28303F">${escapeXml(title)}</text>`,
	];
	for (let tick = 0; tick <= ceiling + 1e-9; tick += step) {
		const at = y(tick).toFixed(1);
		parts.push(`<line x1="${left}" x2="${width - right}" y1="${at}" y2="${at}" stroke="#E8ECF2"/>`);
		parts.push(`<text x="${left - 6}" y="${at}" text-anchor="end" dominant-baseline="middle" fill="#5A6478">${Math.round(tick * 100)}%</text>`);
	}
	series.forEach((s, index) => {
		s.deciles.forEach((value, decile) => {
			const x = left + decile * group + group * 0.1 + index * barWidth;
			parts.push(
				`<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(top + plotHeight - y(value)).toFixed(1)}" fill="${s.color}"><title>${escapeXml(s.label)}, decile ${decile + 1}: ${(value * 100).toFixed(1)}%</title></rect>`,
			);
		});
		const legendX = width - right - 170;
		const legendY = 14 + index * 16;
		parts.push(`<rect x="${legendX}" y="${legendY}" width="10" height="10" fill="${s.color}"/>`);
		parts.push(`<text x="${legendX + 16}" y="${legendY + 9}" fill="#28303F">${escapeXml(s.label)}</text>`);
	});
	for (let decile = 0; decile < 10; decile++) {
		parts.push(`<text x="${(left + decile * group + group / 2).toFixed(1)}" y="${top + plotHeight + 16}" text-anchor="middle" fill="#5A6478">${decile + 1}</text>`);
	}
	parts.push(`<line x1="${left}" x2="${width - right}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#28303F"/>`);
	parts.push(`<text x="${left + plotWidth / 2}" y="${height - 14}" text-anchor="middle" fill="#28303F">score decile (1 = highest scores)</text>`);
	parts.push(`<text x="14" y="${top + plotHeight / 2}" text-anchor="middle" fill="#28303F" transform="rotate(-90 14 ${top + plotHeight / 2})">conversion</text>`);
	parts.push('</svg>');
	return parts.join('\n');
}
