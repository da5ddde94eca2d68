import type { Properties } from './events/model';
import type { CompiledRule } from './rules/compile';
import { readPath } from './rules/conditions';
import { SIGNUP_TRAITS } from './rules/schema';
import { parseTimestamp } from './time';

/**
 * Trait and signup readings for one subject, shared by the batch (aggregate.ts) and the stream
 * (state/accountState.ts) so both read traits the same way.
 */
export interface PersonTraits {
	email?: string | undefined;
	traits?: Properties | undefined;
}

/** Signup time from the rule's trait (or the usual signup traits), account first, else the first event seen. */
export function signupTime(rule: CompiledRule, accountTraits: Properties | undefined, people: readonly PersonTraits[], firstSeen: number): number {
	const names = rule.config.trait ? [rule.config.trait] : SIGNUP_TRAITS;
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
	return firstSeen;
}

/** A trait rule holds for the account's traits, or (user scope) for any of its people's traits, in the order they joined. */
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
