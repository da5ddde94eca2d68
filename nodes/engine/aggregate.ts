import { DistinctNumbers, DistinctTexts } from './distinct';
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
	/** Users with the time each was last active here: the output list, and user → account links. */
	users: DistinctTexts;
	firstSeen: number;
	lastSeen: number;
	days: DistinctNumbers;
	/** Event ids counted here: repeats of an event (Segment retries) always land on the same subject. */
	eventIds: DistinctTexts;
	/** Events per name, indexed by the model's event slots. */
	eventCounts: number[];
	/** Per rule: matching events (count rules) … */
	counts: number[];
	/** … the latest matching event … */
	lastMatch: number[];
	/** … and distinct days (activeDays) or users (distinctUsers). */
	distinct: Array<DistinctNumbers | DistinctTexts | undefined>;
	origins: number[] | undefined;
}

/**
 * Turns a batch of normalized events into per-subject features in one pass, then scores them.
 * The per-event path does one lookup of the subject and one of the event name. Events whose account
 * is not known yet (it may come from a later identify or group call) wait until the end, when
 * every identity link has been seen.
 */
export class EventAggregator {
	readonly stats: AggregateStats = { received: 0, counted: 0, duplicates: 0, afterAsOf: 0, unassigned: 0 };
	readonly identity: IdentityDirectory;
	private readonly subjects = new Map<string, SubjectState>();
	private readonly waitingForAccount: PqlEvent[] = [];
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
		if (event.kind === 'identify' || event.kind === 'group') {
			this.identity.learn(event);
			return;
		}
		if (event.userTraits !== undefined || event.accountTraits !== undefined || event.email !== undefined) {
			this.identity.learn(event);
		}
		if (this.options.level === 'user') {
			const accountId = this.identity.explicitAccount(event);
			if (event.userId !== undefined && accountId !== undefined) this.identity.link(event.userId, accountId, event.timestamp);
			this.count(event.userId, event);
			return;
		}
		const accountId = this.identity.explicitAccount(event);
		if (accountId === undefined) this.waitingForAccount.push(event);
		else this.count(accountId, event);
	}

	/** Scores every subject. Call once, after the last event. */
	finish(): ScoreResult[] {
		if (this.waitingForAccount.length > 0) {
			this.linkUsersToTheirAccounts();
			for (const event of this.waitingForAccount) this.count(this.identity.accountOfUser(event.userId), event);
			this.waitingForAccount.length = 0;
		}
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

	/** Users seen acting inside an account belong to it (the account they were last active in wins). */
	private linkUsersToTheirAccounts(): void {
		if (this.options.level !== 'account' || this.identity.options.accountFrom === 'emailDomain') return;
		for (const subject of this.subjects.values()) {
			for (const [userId, lastActive] of subject.users.entries()) this.identity.link(userId, subject.id, lastActive);
		}
	}

	private count(subjectId: string | undefined, event: PqlEvent): void {
		if (subjectId === undefined) {
			this.stats.unassigned++;
			return;
		}
		const subject = this.subjects.get(subjectId) ?? this.createSubject(subjectId);
		if (event.id !== undefined && !subject.eventIds.add(event.id)) {
			this.stats.duplicates++;
			return;
		}
		this.stats.counted++;
		const { timestamp, userId } = event;
		const day = utcDay(timestamp);
		if (timestamp < subject.firstSeen) subject.firstSeen = timestamp;
		if (timestamp > subject.lastSeen) subject.lastSeen = timestamp;
		subject.days.add(day);
		if (userId !== undefined) subject.users.add(userId, timestamp);
		const slot = this.model.eventSlot(event.name);
		const eventCounts = subject.eventCounts;
		while (eventCounts.length <= slot.index) eventCounts.push(0);
		eventCounts[slot.index]++;
		if (subject.origins !== undefined && event.origin !== undefined) {
			const origins = subject.origins;
			if (origins[origins.length - 1] !== event.origin) origins.push(event.origin);
		}
		const rules = slot.rules;
		for (let r = 0; r < rules.length; r++) {
			const rule = rules[r];
			const i = rule.index;
			if (timestamp < this.windowStart[i]) continue;
			if (rule.matchesProperties !== undefined && !rule.matchesProperties(event.properties)) continue;
			if (rule.type === 'activeDays') ((subject.distinct[i] ??= new DistinctNumbers()) as DistinctNumbers).add(day);
			else if (rule.type === 'distinctUsers') {
				if (userId === undefined) continue;
				((subject.distinct[i] ??= new DistinctTexts()) as DistinctTexts).add(userId);
			} else subject.counts[i]++;
			if (timestamp > subject.lastMatch[i]) subject.lastMatch[i] = timestamp;
		}
	}

	private createSubject(id: string): SubjectState {
		const subject: SubjectState = {
			id,
			users: new DistinctTexts(),
			firstSeen: Infinity,
			lastSeen: -Infinity,
			days: new DistinctNumbers(),
			eventIds: new DistinctTexts(),
			eventCounts: new Array<number>(this.model.eventNames.length + 4).fill(0),
			counts: new Array<number>(this.ruleCount).fill(0),
			lastMatch: new Array<number>(this.ruleCount).fill(-Infinity),
			distinct: new Array(this.ruleCount).fill(undefined),
			origins: this.options.trackOrigins ? [] : undefined,
		};
		this.subjects.set(id, subject);
		return subject;
	}

	/** Users of the subject, their traits, and the account traits that fit rules read. */
	private people(subject: SubjectState) {
		const isAccount = this.options.level === 'account';
		const userIds = isAccount ? subject.users.entries().map(([id]) => id) : [subject.id];
		const users = userIds.map((id) => this.identity.users.get(id) ?? { id, email: undefined, traits: undefined });
		const accountId = isAccount ? subject.id : this.identity.accountOfUser(subject.id);
		return { users, accountId, accountTraits: this.identity.traitsOfAccount(accountId) };
	}

	private features(subject: SubjectState, people = this.people(subject)): SubjectFeatures {
		const { users, accountTraits } = people;
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
					values[i] = subject.distinct[i]?.size ?? 0;
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
		const names = this.model.eventNames;
		subject.eventCounts.forEach((count, index) => {
			if (count > 0) eventCounts[names[index]] = count;
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
			activeDays: subject.days.size,
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
