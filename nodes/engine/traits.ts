import type { Properties } from './events/model';
import type { CompiledRule } from './rules/compile';
import { readPath } from './rules/conditions';
import { SIGNUP_TRAITS } from './rules/schema';
import { parseTimestamp } from './time';

/**
 * Traits as learned from events: per key, the value and the event time it was set at, so that the
 * newest value wins per key whatever order events arrive in (ties: the larger JSON, so still
 * order-free). An event that does not carry a key leaves it alone.
 */
export type TraitMap = Record<string, [value: unknown, at: number]>;

function wins(incoming: unknown, at: number, known: [unknown, number] | undefined): boolean {
	if (known === undefined || at > known[1]) return true;
	if (at < known[1]) return false;
	return JSON.stringify(incoming) > JSON.stringify(known[0]);
}

/**
 * Adds to `known` (changed in place: documents are private copies) the keys of `incoming` (only
 * `keys`, when given) that are newer. Returns the map, created when there was none.
 */
export function learnTraits(known: TraitMap | undefined, incoming: Properties, at: number, keys?: readonly string[]): TraitMap | undefined {
	let learned = known;
	for (const key of keys ?? Object.keys(incoming)) {
		if (!Object.prototype.hasOwnProperty.call(incoming, key)) continue;
		const value = incoming[key];
		if (value === undefined || !wins(value, at, learned?.[key])) continue;
		learned ??= {};
		Object.defineProperty(learned, key, { value: [value, at], writable: true, enumerable: true, configurable: true });
	}
	return learned;
}

/** One timestamped value (an e-mail address, an account link) that the newest event sets; changed in place. */
export function learnValue<T>(known: [T, number] | undefined, value: T, at: number): [T, number] | undefined {
	if (!wins(value, at, known)) return known;
	if (known === undefined) return [value, at];
	known[0] = value;
	known[1] = at;
	return known;
}

export function traitValues(map: TraitMap | undefined): Properties | undefined {
	if (map === undefined) return undefined;
	const values: Properties = {};
	for (const key of Object.keys(map)) {
		Object.defineProperty(values, key, { value: map[key][0], writable: true, enumerable: true, configurable: true });
	}
	return values;
}

export interface PersonTraits {
	email?: string | undefined;
	traits?: Properties | undefined;
}

/** Signup time from the rule's trait (or the usual signup traits), account first, else the earliest person's, else NaN. */
export function signupTrait(trait: string | undefined, accountTraits: Properties | undefined, people: readonly PersonTraits[]): number {
	const names = trait ? [trait] : SIGNUP_TRAITS;
	for (const name of names) {
		const fromAccount = parseTimestamp(readPath(accountTraits, name));
		if (!Number.isNaN(fromAccount)) return fromAccount;
		let earliest = NaN;
		for (const person of people) {
			const fromPerson = parseTimestamp(readPath(person.traits, name));
			if (!Number.isNaN(fromPerson) && !(fromPerson >= earliest)) earliest = fromPerson;
		}
		if (!Number.isNaN(earliest)) return earliest;
	}
	return NaN;
}

/** Signup time as daysSinceSignup rules read it: the signup trait, else the first event seen. */
export function signupTime(rule: CompiledRule, accountTraits: Properties | undefined, people: readonly PersonTraits[], firstSeen: number): number {
	const fromTraits = signupTrait(rule.config.trait, accountTraits, people);
	return Number.isNaN(fromTraits) ? firstSeen : fromTraits;
}

/** A trait rule holds for the account's traits, or (user scope) for any of its people's traits, in their order. */
export function traitMatch(
	rule: CompiledRule,
	accountTraits: Properties | undefined,
	people: readonly PersonTraits[],
): { matched: boolean; value: unknown } {
	const path = rule.config.trait!;
	const test = rule.traitTest!;
	if ((rule.config.scope ?? 'account') === 'account') {
		const value = readPath(accountTraits, path);
		return { matched: test(value), value };
	}
	let seen: unknown;
	for (const person of people) {
		const value = path === 'email' ? (readPath(person.traits, path) ?? person.email) : readPath(person.traits, path);
		if (test(value)) return { matched: true, value };
		if (seen === undefined) seen = value;
	}
	return { matched: false, value: seen };
}
