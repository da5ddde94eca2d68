import type { PqlEvent, Properties } from '../events/model';
import { mergeTraits } from '../identity';
import { MAX_KEPT_PEOPLE, type StatePlan } from './statePlan';

/** A person the account's events mention, with the traits rules read. */
export interface PersonState {
	id: string;
	email?: string;
	traits?: Properties;
	/** Event time of the newest traits: older traits only fill gaps (as in IdentityDirectory). */
	traitsAt?: number;
	/** Has done a product event in this account: only members are listed and scored (identify alone does not join). */
	member: boolean;
	/** Latest event time that mentioned the person: the least recently active person is forgotten first. */
	lastActive: number;
}

export interface AccountTraits {
	values: Properties;
	at: number;
}

function pick(source: Properties, keys: readonly string[]): Properties {
	const picked: Properties = {};
	for (const key of keys) {
		if (Object.prototype.hasOwnProperty.call(source, key)) picked[key] = source[key];
	}
	return picked;
}

/** Account traits merged as IdentityDirectory.learn merges them, keeping only the keys rules read. */
export function learnAccountTraits(known: AccountTraits | undefined, incoming: Properties, at: number, plan: StatePlan): AccountTraits {
	const picked = pick(incoming, plan.accountTraitKeys);
	if (known === undefined) return { values: picked, at };
	known.values = mergeTraits(known.values, picked, at >= known.at);
	known.at = Math.max(known.at, at);
	return known;
}

function findPerson(people: PersonState[], id: string): number {
	for (let i = people.length - 1; i >= 0; i--) if (people[i].id === id) return i;
	return -1;
}

function forgetLeastActive(people: PersonState[]): void {
	if (people.length <= MAX_KEPT_PEOPLE) return;
	let oldest = 0;
	for (let i = 1; i < people.length; i++) if (people[i].lastActive < people[oldest].lastActive) oldest = i;
	people.splice(oldest, 1);
}

/** E-mail and traits of the event's person, merged as IdentityDirectory.learn merges them. */
export function learnPerson(people: PersonState[], event: PqlEvent, plan: StatePlan): void {
	const { userId, email, userTraits, timestamp } = event;
	if (userId === undefined || (email === undefined && userTraits === undefined)) return;
	let at = findPerson(people, userId);
	if (at < 0) {
		people.push({ id: userId, member: false, lastActive: timestamp });
		at = people.length - 1;
	}
	const person = people[at];
	if (timestamp > person.lastActive) person.lastActive = timestamp;
	const newer = person.traitsAt === undefined || timestamp >= person.traitsAt;
	if (email !== undefined && (newer || person.email === undefined)) person.email = email;
	if (userTraits !== undefined) {
		person.traits = mergeTraits(person.traits, pick(userTraits, plan.userTraitKeys), newer);
		if (newer) person.traitsAt = timestamp;
	}
	forgetLeastActive(people);
}

/** Marks the person a member; members stay in the order they joined (the order trait rules read them in). */
export function joinPerson(people: PersonState[], userId: string, timestamp: number): void {
	const at = findPerson(people, userId);
	if (at < 0) {
		people.push({ id: userId, member: true, lastActive: timestamp });
		forgetLeastActive(people);
		return;
	}
	const person = people[at];
	if (timestamp > person.lastActive) person.lastActive = timestamp;
	if (person.member) return;
	person.member = true;
	people.splice(at, 1);
	people.push(person);
}
