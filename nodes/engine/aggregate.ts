import { addDistinct, distinctCount, distinctList, type DistinctValues } from './distinct';
import type { PqlEvent, Properties } from './events/model';
import { DEFAULT_IDENTITY, IdentityDirectory, type IdentityOptions } from './identity';
import { readPath } from './rules/conditions';
import type { CompiledModel, CompiledRule } from './rules/compile';
import { SIGNUP_TRAITS } from './rules/schema';
import { scoreSubject, type ScoreResult, type SubjectFeatures, type SubjectSummary } from './score';
import { DAY_MS, parseTimestamp, utcDay } from './time';

export type ScoringLevel = 'account' | 'user';

export interface AggregateOptions {
	/** Epoch ms the scores are computed as of; events after it are ignored (no leakage into the past). */
	asOf: number;
	level: ScoringLevel;
	identity?: IdentityOptions;
	/** Remember which inputs (PqlEvent.origin) fed each subject, for n8n's pairedItem. */
	trackOrigins?: boolean;
}

export interface AggregateStats {
	/** Events given to the aggregator. */
	received: number;
	/** Product events (track / page) counted for some account or user. */
	counted: number;
	/** Events whose id had been seen already. */
	duplicates: number;
	/** Events after the as-of time, ignored. */
	afterAsOf: number;
	/** Product events that belong to no account (personal e-mail, no group) or no user. */
	unassigned: number;
}

/** Everything measured for one account or user while events stream in. */
interface SubjectState {
	id: string;
	users: DistinctValues<string>;
	firstSeen: number;
	lastSeen: number;
	days: DistinctValues<number>;
	/** Events per name, indexed by the aggregator's interned event-name list. */
	eventCounts: number[];
	/** Per rule: matching events (count rules) … */
	counts: number[];
	/** … the latest matching event … */
	lastMatch: number[];
	/** … and distinct days or users (activeDays, distinctUsers). */
	distinct: Array<DistinctValues<number | string> | undefined>;
	origins: number[] | undefined;
}

/**
 * Turns a batch of normalized events into per-subject features in one pass, then scores them.
 * Events whose account is not known yet (it may come from a later identify or group call)
 * wait until the end, when every identity link has been seen.
 */
export class EventAggregator {
	readonly stats: AggregateStats = { received: 0, counted: 0, duplicates: 0, afterAsOf: 0, unassigned: 0 };
	readonly identity: IdentityDirectory;
	private readonly subjects = new Map<string, SubjectState>();
	private readonly seenIds = new Set<string>();
	private readonly waitingForAccount: PqlEvent[] = [];
	private readonly eventNames: string[] = [];
	private readonly eventNameIndex = new Map<string, number>();
	/** Per rule: the earliest timestamp its window accepts. */
	private readonly windowStart: number[];
	private readonly ruleCount: number;

	constructor(
		private readonly model: CompiledModel,
		private readonly options: AggregateOptions,
	) {
		this.identity = new IdentityDirectory(options.identity ?? DEFAULT_IDENTITY);
		this.windowStart = model.rules.map((rule) => options.asOf - rule.windowMs);
		this.ruleCount = model.rules.length;
	}

	add(event: PqlEvent): void {
		this.stats.received++;
		if (event.timestamp > this.options.asOf) {
			this.stats.afterAsOf++;
			return;
		}
		if (event.id !== undefined) {
			if (this.seenIds.has(event.id)) {
				this.stats.duplicates++;
				return;
			}
			this.seenIds.add(event.id);
		}
		this.identity.learn(event);
		if (event.kind === 'identify' || event.kind === 'group') return;
		if (this.options.level === 'user') {
			this.count(event.userId, event);
			return;
		}
		const accountId = this.identity.explicitAccount(event);
		if (accountId === undefined) this.waitingForAccount.push(event);
		else this.count(accountId, event);
	}

	/** Scores every subject. Call once, after the last event. */
	finish(): ScoreResult[] {
		for (const event of this.waitingForAccount) this.count(this.identity.accountOfUser(event.userId), event);
		this.waitingForAccount.length = 0;
		const results: ScoreResult[] = [];
		for (const subject of this.subjects.values()) {
			results.push(scoreSubject(this.model, this.summarize(subject), this.features(subject), this.options.asOf));
		}
		return results;
	}

	/** The inputs that fed each subject, by subject id (only with trackOrigins). */
	origins(id: string): number[] {
		return this.subjects.get(id)?.origins ?? [];
	}

	private count(subjectId: string | undefined, event: PqlEvent): void {
		if (subjectId === undefined) {
			this.stats.unassigned++;
			return;
		}
		this.stats.counted++;
		const subject = this.subjects.get(subjectId) ?? this.createSubject(subjectId);
		const { timestamp, userId } = event;
		const day = utcDay(timestamp);
		if (timestamp < subject.firstSeen) subject.firstSeen = timestamp;
		if (timestamp > subject.lastSeen) subject.lastSeen = timestamp;
		subject.days = addDistinct(subject.days, day);
		if (userId !== undefined) subject.users = addDistinct(subject.users, userId);
		const nameIndex = this.eventIndex(event.name);
		subject.eventCounts[nameIndex] = (subject.eventCounts[nameIndex] ?? 0) + 1;
		if (subject.origins !== undefined && event.origin !== undefined) {
			const origins = subject.origins;
			if (origins[origins.length - 1] !== event.origin) origins.push(event.origin);
		}
		const rules = this.model.rulesForEvent(event.name);
		for (let r = 0; r < rules.length; r++) {
			const rule = rules[r];
			const i = rule.index;
			if (timestamp < this.windowStart[i]) continue;
			if (rule.matchesProperties !== undefined && !rule.matchesProperties(event.properties)) continue;
			if (rule.type === 'activeDays') subject.distinct[i] = addDistinct(subject.distinct[i] ?? [], day);
			else if (rule.type === 'distinctUsers') {
				if (userId === undefined) continue;
				subject.distinct[i] = addDistinct(subject.distinct[i] ?? [], userId);
			} else subject.counts[i]++;
			if (timestamp > subject.lastMatch[i]) subject.lastMatch[i] = timestamp;
		}
	}

	private createSubject(id: string): SubjectState {
		const subject: SubjectState = {
			id,
			users: [],
			firstSeen: Infinity,
			lastSeen: -Infinity,
			days: [],
			eventCounts: [],
			counts: new Array<number>(this.ruleCount).fill(0),
			lastMatch: new Array<number>(this.ruleCount).fill(-Infinity),
			distinct: new Array(this.ruleCount).fill(undefined),
			origins: this.options.trackOrigins ? [] : undefined,
		};
		this.subjects.set(id, subject);
		return subject;
	}

	private eventIndex(name: string): number {
		let index = this.eventNameIndex.get(name);
		if (index === undefined) {
			index = this.eventNames.length;
			this.eventNames.push(name);
			this.eventNameIndex.set(name, index);
		}
		return index;
	}

	/** Users of the subject, their traits, and the account traits that fit rules read. */
	private people(subject: SubjectState) {
		const isAccount = this.options.level === 'account';
		const userIds = isAccount ? distinctList(subject.users) : [subject.id];
		const users = userIds.map((id) => this.identity.users.get(id) ?? { id, email: undefined, traits: undefined });
		const accountId = isAccount ? subject.id : this.identity.accountOfUser(subject.id);
		return { users, accountId, accountTraits: this.identity.traitsOfAccount(accountId) };
	}

	private features(subject: SubjectState): SubjectFeatures {
		const { users, accountTraits } = this.people(subject);
		const asOf = this.options.asOf;
		const values = new Array<number>(this.ruleCount);
		const traitValues = new Array<unknown>(this.ruleCount);
		for (const rule of this.model.rules) {
			const i = rule.index;
			switch (rule.type) {
				case 'eventCount':
				case 'everDid':
					values[i] = subject.counts[i];
					break;
				case 'activeDays':
				case 'distinctUsers':
					values[i] = distinctCount(subject.distinct[i]);
					break;
				case 'inactiveDays':
					values[i] = Math.floor((asOf - subject.lastSeen) / DAY_MS);
					break;
				case 'daysSinceSignup': {
					const signup = signupTime(rule, accountTraits, users, subject.firstSeen);
					values[i] = Math.floor((asOf - signup) / DAY_MS);
					break;
				}
				case 'trait': {
					const found = traitMatch(rule, accountTraits, users);
					values[i] = found.matched ? 1 : 0;
					traitValues[i] = found.value;
					break;
				}
			}
		}
		return { values, lastMatch: subject.lastMatch, traitValues };
	}

	private summarize(subject: SubjectState): SubjectSummary {
		const { users, accountId, accountTraits } = this.people(subject);
		const isAccount = this.options.level === 'account';
		const eventCounts: Record<string, number> = {};
		subject.eventCounts.forEach((count, index) => {
			if (count > 0) eventCounts[this.eventNames[index]] = count;
		});
		const accountName = typeof accountTraits?.name === 'string' ? accountTraits.name : undefined;
		return {
			level: this.options.level,
			id: subject.id,
			name: isAccount ? accountName : users[0]?.email,
			accountId,
			users: users.map((user) => ({ id: user.id, email: user.email })),
			firstSeen: subject.firstSeen,
			lastSeen: subject.lastSeen,
			activeDays: distinctCount(subject.days),
			eventCounts,
		};
	}
}

type Person = { id: string; email: string | undefined; traits: Properties | undefined };

/** Signup time from the rule's trait (or the usual signup traits), account first, else the first event seen. */
function signupTime(rule: CompiledRule, accountTraits: Properties | undefined, users: Person[], firstSeen: number): number {
	const names = rule.config.trait ? [rule.config.trait] : SIGNUP_TRAITS;
	for (const name of names) {
		const fromAccount = parseTimestamp(readPath(accountTraits, name));
		if (!Number.isNaN(fromAccount)) return fromAccount;
		let earliest = NaN;
		for (const user of users) {
			const fromUser = parseTimestamp(readPath(user.traits, name));
			if (!Number.isNaN(fromUser) && !(fromUser >= earliest)) earliest = fromUser;
		}
		if (!Number.isNaN(earliest)) return earliest;
	}
	return firstSeen;
}

/** A trait rule holds for the account's traits, or (user scope) for any of its users' traits. */
function traitMatch(
	rule: CompiledRule,
	accountTraits: Properties | undefined,
	users: Person[],
): { matched: boolean; value: unknown } {
	const path = rule.config.trait!;
	const test = rule.traitTest!;
	if ((rule.config.scope ?? 'account') === 'account') {
		const value = readPath(accountTraits, path);
		return { matched: test(value), value };
	}
	let seen: unknown;
	for (const user of users) {
		const value = path === 'email' ? (readPath(user.traits, path) ?? user.email) : readPath(user.traits, path);
		if (test(value)) return { matched: true, value };
		if (seen === undefined) seen = value;
	}
	return { matched: false, value: seen };
}
