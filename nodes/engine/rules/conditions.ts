import { emailDomain } from '../data/emailDomains';
import type { Properties } from '../events/model';
import type { Operator } from './schema';

export type Condition = (actual: unknown) => boolean;

/** Reads `path` from an object: the exact key first (PostHog keys like `$current_url`), then dotted nesting. */
export function readPath(source: Properties | undefined, path: string): unknown {
	if (source === undefined) return undefined;
	const direct = source[path];
	if (direct !== undefined || path.indexOf('.') < 0) return direct;
	let current: unknown = source;
	for (const key of path.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Properties)[key];
	}
	return current;
}

export function isPresent(value: unknown): boolean {
	return value !== undefined && value !== null && value !== '';
}

function normalizeText(value: unknown): string {
	return String(value).trim().toLowerCase();
}

export function toNumber(value: unknown): number {
	if (typeof value === 'number') return value;
	if (typeof value === 'string' && value.trim() !== '') return Number(value);
	if (typeof value === 'boolean') return value ? 1 : 0;
	return NaN;
}

/** A list from a JSON array or a comma-separated string (what people type in a UI field). */
export function toList(value: unknown): unknown[] {
	if (Array.isArray(value)) return value;
	if (typeof value === 'string') {
		return value
			.split(',')
			.map((part) => part.trim())
			.filter((part) => part !== '');
	}
	return value === undefined || value === null ? [] : [value];
}

/** [min, max] from an array or "min..max"; NaN for a missing side. */
export function toRange(value: unknown): [number, number] {
	const parts = typeof value === 'string' ? value.split('..') : Array.isArray(value) ? value : [];
	if (parts.length !== 2) return [NaN, NaN];
	return [toNumber(parts[0]), toNumber(parts[1])];
}

function looselyEqual(actual: unknown, expected: unknown): boolean {
	if (!isPresent(actual)) return !isPresent(expected);
	const actualNumber = toNumber(actual);
	const expectedNumber = toNumber(expected);
	if (!Number.isNaN(actualNumber) && !Number.isNaN(expectedNumber) && typeof actual !== 'boolean') {
		return actualNumber === expectedNumber;
	}
	return normalizeText(actual) === normalizeText(expected);
}

function domainIn(domains: string[]): Condition {
	return (actual) => {
		if (typeof actual !== 'string') return false;
		const domain = actual.includes('@') ? emailDomain(actual) : actual.trim().toLowerCase();
		if (!domain) return false;
		return domains.some((listed) => domain === listed || domain.endsWith('.' + listed));
	};
}

/**
 * Compiles an operator and its expected value into a test. Equality and lists are case-insensitive
 * and numeric strings compare as numbers, because traits arrive as whatever the product sent.
 */
export function compileCondition(operator: Operator, expected: unknown): Condition {
	switch (operator) {
		case 'equals':
			return (actual) => looselyEqual(actual, expected);
		case 'notEquals':
			return (actual) => !looselyEqual(actual, expected);
		case 'oneOf': {
			const options = toList(expected);
			return (actual) => options.some((option) => looselyEqual(actual, option));
		}
		case 'gte': {
			const bound = toNumber(expected);
			return (actual) => toNumber(actual) >= bound;
		}
		case 'lte': {
			const bound = toNumber(expected);
			return (actual) => isPresent(actual) && toNumber(actual) <= bound;
		}
		case 'between': {
			const [min, max] = toRange(expected);
			return (actual) => {
				const n = toNumber(actual);
				return isPresent(actual) && n >= min && n <= max;
			};
		}
		case 'contains': {
			const needle = normalizeText(expected);
			return (actual) => {
				if (Array.isArray(actual)) return actual.some((element) => looselyEqual(element, expected));
				return isPresent(actual) && normalizeText(actual).includes(needle);
			};
		}
		case 'exists':
			return isPresent;
		case 'notExists':
			return (actual) => !isPresent(actual);
		case 'emailDomainIn':
			return domainIn(toList(expected).map(normalizeText));
	}
}

/** Operators whose expected value must be given. */
export const OPERATORS_WITH_VALUE: readonly Operator[] = [
	'equals',
	'notEquals',
	'oneOf',
	'gte',
	'lte',
	'between',
	'contains',
	'emailDomainIn',
];
