import type { RuleConfig } from './rules/schema';
import { DAY_MS } from './time';

/**
 * The one place reason texts are written, so the Slack line, the CRM field and the tests agree.
 * Templates take {name} {value} {window} {event} {days} {trait} {actual}; rules may bring their own.
 * Everything but {value} and {actual} is fixed per rule, so templates are compiled once per model.
 */
const DEFAULT_TEMPLATES: Record<RuleConfig['type'], string> = {
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

function eventPhrase(events: string[] | undefined): string {
	return events === undefined ? 'any event' : events.join(' or ');
}

export function formatValue(value: unknown): string {
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

function tidy(text: string): string {
	return text.replace(/\s+/g, ' ').replace(/\s+([,.:;)])/g, '$1');
}

export interface RuleWording {
	name: string;
	type: RuleConfig['type'];
	config: RuleConfig;
	events: string[] | undefined;
	windowMs: number;
}

/** Compiles the rule's reason template into a function of the measured value and trait value. */
export function compileReasonText(rule: RuleWording): (value: number, actual: unknown) => string {
	const template = rule.config.reason ?? DEFAULT_TEMPLATES[rule.type];
	const fixed: Record<string, string> = {
		name: rule.name,
		window: windowPhrase(rule.windowMs),
		days: Number.isFinite(rule.windowMs) ? String(rule.windowMs / DAY_MS) : '',
		event: eventPhrase(rule.events),
		trait: rule.config.trait ?? '',
	};
	const parts = tidy(template.replace(/\{(\w+)\}/g, (placeholder, field: string) => fixed[field] ?? placeholder)).split(
		/(\{value\}|\{actual\})/,
	);
	const last = parts.length - 1;
	parts[0] = parts[0].trimStart();
	parts[last] = parts[last].trimEnd();
	// "1 times" reads "1 time": the word right after {value} in its singular form when the value is 1.
	const singular = parts.map((part, i) => (parts[i - 1] === '{value}' ? singularizeFirstWord(part) : part));
	return (value, actual) => {
		const words = value === 1 ? singular : parts;
		let text = '';
		for (const part of words) {
			text += part === '{value}' ? formatValue(value) : part === '{actual}' ? formatValue(actual) : part;
		}
		return text;
	};
}

/** English singular of a plural noun, for reason texts ("days" → "day", "companies" → "company"). */
export function singular(word: string): string {
	if (/ies$/i.test(word) && word.length > 4) return `${word.slice(0, -3)}y`;
	if (/(ss|us|is)$/i.test(word) || !/s$/i.test(word)) return word;
	return word.slice(0, -1);
}

function singularizeFirstWord(text: string): string {
	return text.replace(/^(\s*)([A-Za-z]+)/, (_, space: string, word: string) => space + singular(word));
}

/** The reason line of a matched rule: its text and its points, noting decay. */
export function reasonLine(text: string, points: number, undecayedPoints: number | undefined): string {
	const decayNote = undecayedPoints === undefined ? '' : `, decayed from ${formatPoints(undecayedPoints)}`;
	return `${text} (${formatPoints(points)}${decayNote})`;
}

/** What a rule needs, in words, for the unmatched-rules list. */
export function describeCondition(rule: RuleWording & { atLeast: number; atMost: number }): string {
	if (rule.type === 'trait') {
		const value = rule.config.value === undefined ? '' : ` ${formatValue(rule.config.value)}`;
		return `${rule.config.trait} ${rule.config.operator}${value}`;
	}
	const bounds: string[] = [];
	if (Number.isFinite(rule.atLeast)) bounds.push(`at least ${rule.atLeast}`);
	if (Number.isFinite(rule.atMost)) bounds.push(`at most ${rule.atMost}`);
	const signup = rule.config.minDaysSinceSignup ? `, signed up at least ${rule.config.minDaysSinceSignup} days ago` : '';
	return [bounds.join(' and '), windowPhrase(rule.windowMs)].filter(Boolean).join(' ') + signup;
}
