import type { CrossingMemory } from '../crossing';
import type { TraitMap } from '../traits';
import { emptyActivity, type Activity } from './activity';
import type { AccountDoc, UserDoc } from './docs';
import type { MeasureState } from './measures';

/**
 * The built-in store's documents as compact JSON: n8n reads the workflow's whole static data on
 * every webhook request, so each byte per account costs every request. Documents become positional
 * arrays; event names, measure keys and trait keys are listed once per snapshot; times are written
 * relative to the document's `touchedAt` (most are equal or close to it); the model version once.
 * Lossless: unpack(pack(doc)) deep-equals doc.
 */

type Packed = unknown[];

/** Strings repeated across documents, listed once: a document holds their index. */
export class StringTable {
	readonly strings: string[];
	private readonly index = new Map<string, number>();
	constructor(strings: string[] = []) {
		this.strings = strings;
		strings.forEach((value, i) => this.index.set(value, i));
	}
	ref(value: string): number {
		let i = this.index.get(value);
		if (i === undefined) {
			i = this.strings.length;
			this.strings.push(value);
			this.index.set(value, i);
		}
		return i;
	}
	at(i: number): string {
		const value = this.strings[i];
		if (value === undefined) throw new Error(`snapshot: no string ${i}`);
		return value;
	}
}

export interface PackContext {
	table: StringTable;
	/** The model version documents are usually measured for: written once, documents name only another one. */
	modelVersion: string | undefined;
	/** Documents' touchedAt are written relative to it. */
	savedAt: number;
	/** Position of each account and user in the snapshot: members and links refer to them by it. */
	accountIds: DocIds;
	userIds: DocIds;
	/** Format 5 on (absent: format 4): references and user times written as small differences, see Chain. */
	chain?: Chain;
}

/**
 * Documents are packed and read in snapshot order, users grouped by the account they are linked to, so
 * that what follows is mostly 0 or close to it, which the compressor codes in a few bits: a member's
 * user position is written relative to the position after the previous member's, a user's link
 * relative to the previous user's, and a linked user's touchedAt relative to the latest event time its
 * account keeps for it as a member (else to the account's touchedAt).
 */
export interface Chain {
	nextMember: number;
	lastLink: number;
	/** The snapshot's accounts, by position (when reading: those read so far). */
	accounts: AccountDoc[];
}

export const newChain = (accounts: AccountDoc[] = []): Chain => ({ nextMember: 0, lastLink: 0, accounts });

/** A document position as written: relative to `from` in a chained snapshot. */
function chained(ref: string | number, from: number, context: PackContext): string | number {
	return typeof ref === 'number' && context.chain !== undefined ? ref - from : ref;
}

function unchained(packed: unknown, from: number, context: PackContext): unknown {
	return typeof packed === 'number' && context.chain !== undefined ? packed + from : packed;
}

/** Document ids by position: a reference is the position (a number) when the document is in the snapshot, else the id. */
export class DocIds {
	private readonly positions = new Map<string, number>();
	constructor(readonly ids: string[]) {
		ids.forEach((id, i) => this.positions.set(id, i));
	}
	ref(id: string): string | number {
		return this.positions.get(id) ?? id;
	}
	id(ref: unknown): string {
		return typeof ref === 'number' ? this.ids[ref] : (ref as string);
	}
}

const MEASURE_KINDS = ['recentMatches', 'matchTotal', 'recentDays', 'dayTally', 'recentUsers', 'userTally'] as const;

/** Drops trailing absent fields (null in JSON). */
function trimmed(fields: unknown[]): Packed {
	let end = fields.length;
	while (end > 0 && (fields[end - 1] === undefined || fields[end - 1] === null)) end--;
	return fields.slice(0, end).map((field) => (field === undefined ? null : field));
}

const present = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

function relative(base: number, time: number | undefined): number | undefined {
	return time === undefined ? undefined : base - time;
}

function flatPairs(pairs: ReadonlyArray<[string, number]>, base: number): unknown[] {
	const flat: unknown[] = [];
	for (const [id, time] of pairs) flat.push(id, base - time);
	return flat;
}

function unflatPairs(flat: unknown[], base: number): Array<[string, number]> {
	const pairs: Array<[string, number]> = [];
	for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] as string, base - (flat[i + 1] as number)]);
	return pairs;
}

function packMeasure(state: MeasureState, base: number): unknown[] {
	const kind = MEASURE_KINDS.indexOf(state.kind);
	switch (state.kind) {
		case 'recentMatches':
			return [kind, ...state.times.map((time) => base - time)];
		case 'recentDays':
			return [kind, ...state.latest.map((time) => base - time)];
		case 'matchTotal':
			return [kind, state.count, base - state.last];
		case 'dayTally':
			return [kind, state.count, state.first, base - state.last, ...state.days];
		case 'recentUsers':
		case 'userTally':
			return [kind, ...flatPairs(state.users, base)];
	}
}

function unpackMeasure(packed: unknown[], base: number): MeasureState {
	const kind = MEASURE_KINDS[packed[0] as number];
	const rest = packed.slice(1);
	switch (kind) {
		case 'recentMatches':
			return { kind, times: (rest as number[]).map((time) => base - time) };
		case 'recentDays':
			return { kind, latest: (rest as number[]).map((time) => base - time) };
		case 'matchTotal':
			return { kind, count: rest[0] as number, last: base - (rest[1] as number) };
		case 'dayTally':
			return { kind, count: rest[0] as number, first: rest[1] as number, last: base - (rest[2] as number), days: rest.slice(3) as number[] };
		case 'recentUsers':
		case 'userTally':
			return { kind, users: unflatPairs(rest, base) };
		default:
			throw new Error(`snapshot: unknown measure kind ${String(packed[0])}`);
	}
}

function packActivity(activity: Activity, base: number, table: StringTable): Packed {
	const counts: unknown[] = [];
	for (const name of Object.keys(activity.eventCounts)) counts.push(table.ref(name), activity.eventCounts[name]);
	const measures: unknown[] = [];
	for (const key of Object.keys(activity.measures)) {
		const slot = activity.measures[key];
		if (slot !== undefined) measures.push([table.ref(key), ...packMeasure(slot, base)]);
	}
	const days = activity.days === undefined ? undefined : packMeasure(activity.days, base).slice(1);
	return trimmed([relative(base, activity.firstSeen), relative(base, activity.lastSeen), counts, measures, days]);
}

function unpackActivity(packed: Packed, base: number, table: StringTable): Activity {
	const [firstSeen, lastSeen, counts = [], measures = [], days] = packed as [number?, number?, unknown[]?, unknown[][]?, unknown[]?];
	const activity = emptyActivity();
	if (present(firstSeen)) activity.firstSeen = base - firstSeen;
	if (present(lastSeen)) activity.lastSeen = base - lastSeen;
	if (present(days)) activity.days = unpackMeasure([MEASURE_KINDS.indexOf('dayTally'), ...days], base) as Activity['days'];
	for (let i = 0; i < counts.length; i += 2) activity.eventCounts[table.at(counts[i] as number)] = counts[i + 1] as number;
	for (const [key, ...measure] of measures) activity.measures[table.at(key as number)] = unpackMeasure(measure, base);
	return activity;
}

function packTraits(traits: TraitMap | undefined, base: number, table: StringTable): unknown[] | undefined {
	if (traits === undefined) return undefined;
	const flat: unknown[] = [];
	for (const key of Object.keys(traits)) flat.push(table.ref(key), traits[key][0], base - traits[key][1]);
	return flat;
}

function unpackTraits(flat: unknown[] | null | undefined, base: number, table: StringTable): TraitMap | undefined {
	if (!present(flat)) return undefined;
	const traits: TraitMap = {};
	for (let i = 0; i < flat.length; i += 3) {
		Object.defineProperty(traits, table.at(flat[i] as number), { value: [flat[i + 1], base - (flat[i + 2] as number)], writable: true, enumerable: true, configurable: true });
	}
	return traits;
}

function packCrossing(crossing: CrossingMemory | undefined): unknown[] | undefined {
	if (crossing === undefined) return undefined;
	const { armed, lastScore, lastTier, lastFiredAt, firedCount, wasPql, quietFor } = crossing;
	return trimmed([armed ? 1 : 0, lastScore, lastTier, lastFiredAt, firedCount, wasPql === undefined ? null : wasPql ? 1 : 0, quietFor]);
}

function unpackCrossing(packed: unknown[] | null | undefined): CrossingMemory | undefined {
	if (!present(packed)) return undefined;
	const [armed, lastScore, lastTier, lastFiredAt, firedCount, wasPql, quietFor] = packed as [number, number | null, string | null, number | null, number, number | null, number | null];
	const crossing: CrossingMemory = { armed: armed === 1, lastScore, lastTier, lastFiredAt, firedCount };
	if (present(wasPql)) crossing.wasPql = wasPql === 1;
	if (present(quietFor)) crossing.quietFor = quietFor;
	return crossing;
}

/** A model version: 0 for the snapshot's own, else the string. */
const packVersion = (version: string | undefined, context: PackContext) => (version === undefined ? undefined : version === context.modelVersion ? 0 : version);
const unpackVersion = (packed: unknown, context: PackContext) => (packed === 0 ? context.modelVersion : (packed as string | null | undefined) ?? undefined);

export function packAccount(doc: AccountDoc, context: PackContext): Packed {
	const base = doc.touchedAt;
	const members: unknown[] = [];
	for (const [userId, first, last] of doc.members) {
		const ref = context.userIds.ref(userId);
		members.push(chained(ref, context.chain?.nextMember ?? 0, context), base - first, base - last);
		if (typeof ref === 'number' && context.chain !== undefined) context.chain.nextMember = ref + 1;
	}
	return trimmed([
		doc.id,
		context.savedAt - base,
		packVersion(doc.modelVersion, context),
		packActivity(doc.named, base, context.table),
		members,
		doc.floatingUsers.length > 0 ? doc.floatingUsers : undefined,
		packTraits(doc.traits, base, context.table),
		packCrossing(doc.crossing),
		relative(base, doc.dueAt),
	]);
}

export function unpackAccount(packed: Packed, context: PackContext): AccountDoc {
	const [id, touchedAgo, version, named, members = [], floatingUsers, traits, crossing, dueAt] = packed as [string, number, unknown, Packed, unknown[]?, string[]?, unknown[]?, unknown[]?, number?];
	const base = context.savedAt - touchedAgo;
	const doc: AccountDoc = { id, modelVersion: unpackVersion(version, context)!, named: unpackActivity(named, base, context.table), members: [], floatingUsers: floatingUsers ?? [], touchedAt: base };
	for (let i = 0; i < members.length; i += 3) {
		const ref = unchained(members[i], context.chain?.nextMember ?? 0, context);
		if (typeof ref === 'number' && context.chain !== undefined) context.chain.nextMember = ref + 1;
		doc.members.push([context.userIds.id(ref), base - (members[i + 1] as number), base - (members[i + 2] as number)]);
	}
	const traitMap = unpackTraits(traits, base, context.table);
	if (traitMap !== undefined) doc.traits = traitMap;
	const crossingMemory = unpackCrossing(crossing);
	if (crossingMemory !== undefined) doc.crossing = crossingMemory;
	if (present(dueAt)) doc.dueAt = base - dueAt;
	context.chain?.accounts.push(doc);
	return doc;
}

const packPair = (pair: [string, number] | undefined, base: number, ref: (value: string) => unknown = (value) => value) =>
	pair === undefined ? undefined : [ref(pair[0]), base - pair[1]];
const unpackPair = (packed: unknown, base: number, id: (ref: unknown) => string = (ref) => ref as string): [string, number] | undefined =>
	present(packed) ? [id((packed as unknown[])[0]), base - ((packed as unknown[])[1] as number)] : undefined;

/** The usual case: the user acted in one account, the one it is linked to (written as 0). */
const sameAsLink = (doc: UserDoc) => doc.accounts?.length === 1 && doc.link !== undefined && doc.accounts[0] === doc.link[0];

/** The position of the account a user is linked to, when that account is in the snapshot. */
function linkPosition(doc: UserDoc, accountIds: DocIds): number | undefined {
	const ref = doc.link === undefined ? undefined : accountIds.ref(doc.link[0]);
	return typeof ref === 'number' ? ref : undefined;
}

/** What a user's touchedAt is written relative to: see Chain; else the save time. */
function userTimeBase(userId: string, position: number | undefined, context: PackContext): number {
	if (position === undefined || context.chain === undefined) return context.savedAt;
	const account = context.chain.accounts[position];
	return account.members.find((member) => member[0] === userId)?.[2] ?? account.touchedAt;
}

export function packUser(doc: UserDoc, context: PackContext): Packed {
	const base = doc.touchedAt;
	const position = linkPosition(doc, context.accountIds);
	const link = packPair(doc.link, base, (id) => chained(context.accountIds.ref(id), context.chain?.lastLink ?? 0, context));
	if (position !== undefined && context.chain !== undefined) context.chain.lastLink = position;
	return trimmed([
		doc.id,
		userTimeBase(doc.id, position, context) - base,
		packPair(doc.email, base),
		link,
		packTraits(doc.traits, base, context.table),
		sameAsLink(doc) ? 0 : doc.accounts,
		doc.floating === undefined ? undefined : packActivity(doc.floating, base, context.table),
		doc.floatingAccount,
		packVersion(doc.modelVersion, context),
	]);
}

export function unpackUser(packed: Packed, context: PackContext): UserDoc {
	const [id, touchedAgo, email, packedLink, traits, accounts, floating, floatingAccount, version] = packed as [string, number, ...unknown[]];
	const linkRef = present(packedLink) ? unchained((packedLink as unknown[])[0], context.chain?.lastLink ?? 0, context) : undefined;
	const position = typeof linkRef === 'number' ? linkRef : undefined;
	if (position !== undefined && context.chain !== undefined) context.chain.lastLink = position;
	const base = userTimeBase(id, position, context) - touchedAgo;
	const doc: UserDoc = { id, touchedAt: base };
	const link = present(packedLink) ? unpackPair([linkRef, (packedLink as unknown[])[1]], base, (ref) => context.accountIds.id(ref)) : undefined;
	const fields: Partial<UserDoc> = {
		email: unpackPair(email, base),
		traits: unpackTraits(traits as unknown[] | undefined, base, context.table),
		link,
		accounts: accounts === 0 ? [link![0]] : present(accounts) ? (accounts as string[]) : undefined,
		floating: present(floating) ? unpackActivity(floating as Packed, base, context.table) : undefined,
		floatingAccount: present(floatingAccount) ? (floatingAccount as string) : undefined,
		modelVersion: unpackVersion(version, context),
	};
	for (const [key, value] of Object.entries(fields)) if (value !== undefined) (doc as unknown as Record<string, unknown>)[key] = value;
	return doc;
}

/**
 * Users in the order a chained snapshot writes them: grouped by the position of the account they are
 * linked to (stable; users linked to no account of the snapshot last).
 */
export function usersInChainOrder(users: readonly UserDoc[], accountIds: DocIds): UserDoc[] {
	return users
		.map((doc, index) => ({ doc, index, key: linkPosition(doc, accountIds) ?? Infinity }))
		.sort((a, b) => a.key - b.key || a.index - b.index)
		.map((entry) => entry.doc);
}
