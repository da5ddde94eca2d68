import type { CompiledRule } from './rules/compile';
import { DAY_MS } from './time';

/**
 * The one place reason texts are written, so the Slack line, the CRM field and the tests agree.
 * Templates take {name} {value} {window} {event} {days} {actual}; rules may bring their own.
 */
const DEFAULT_TEMPLATES: Record<CompiledRule['type'], string> = {
	eventCount: '{name}: {event} {value} times {window}',
	everDid: '{name}: {event}',
	activeDays: '{name}: active on {value} days {window}',
	distinctUsers: '{name}: {value} users did {event} {window}',
	inactiveDays: '{name}: no activity for {value} days',
	daysSinceSignup: '{name}: signed up {value} days ago',
	trait: '{name}: {trait} is {actual}',
};

export function windowPhrase(windowMs: number): string {
	if (!Number.isFinite(windowMs)) return '';
	const days = windowMs / DAY_MS;
	return days === 1 ? 'in the last day' : `in the last ${days} days`;
}

function eventPhrase(rule: CompiledRule): string {
	if (rule.events === undefined) return 'any event';
	return rule.events.join(' or ');
}

function formatValue(value: unknown): string {
	if (typeof value === 'number') return String(Math.round(value * 10) / 10);
	if (Array.isArray(value)) return value.map(formatValue).join(', ');
	if (value === undefined || value === null) return 'unknown';
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

export function formatPoints(points: number): string {
	const rounded = Math.round(points * 10) / 10;
	return rounded < 0 ? `-${Math.abs(rounded)}` : `+${rounded}`;
}

export interface ReasonInput {
	rule: CompiledRule;
	value: number;
	actual: unknown;
	points: number;
	/** Points before decay, when decay lowered them. */
	undecayedPoints: number | undefined;
}

export function describeRule({ rule, value, actual, points, undecayedPoints }: ReasonInput): string {
	const template = rule.config.reason ?? DEFAULT_TEMPLATES[rule.type];
	const text = template
		.replace(/\{(\w+)\}/g, (placeholder, field: string) => {
			switch (field) {
				case 'name':
					return rule.name;
				case 'value':
					return formatValue(value);
				case 'window':
					return windowPhrase(rule.windowMs);
				case 'days':
					return Number.isFinite(rule.windowMs) ? String(rule.windowMs / DAY_MS) : '';
				case 'event':
					return eventPhrase(rule);
				case 'trait':
					return rule.config.trait ?? '';
				case 'actual':
					return formatValue(actual);
				default:
					return placeholder;
			}
		})
		.replace(/\s+/g, ' ')
		.replace(/\s+([,.:;)])/g, '$1')
		.trim();
	const decayNote = undecayedPoints === undefined ? '' : `, decayed from ${formatPoints(undecayedPoints)}`;
	return `${text} (${formatPoints(points)}${decayNote})`;
}

/** What a rule needs, in words, for the unmatched-rules list. */
export function describeCondition(rule: CompiledRule): string {
	if (rule.type === 'trait') {
		const value = rule.config.value === undefined ? '' : ` ${formatValue(rule.config.value)}`;
		return `${rule.config.trait} ${rule.config.operator}${value}`;
	}
	const bounds: string[] = [];
	if (Number.isFinite(rule.atLeast)) bounds.push(`at least ${rule.atLeast}`);
	if (Number.isFinite(rule.atMost)) bounds.push(`at most ${rule.atMost}`);
	return [bounds.join(' and '), windowPhrase(rule.windowMs)].filter(Boolean).join(' ');
}
