import type { Properties } from '../events/model';
import type { CompiledModel } from '../rules/compile';
import { scoreSubject, scoreVerdict, type ScoreResult, type ScoreVerdict, type SubjectFeatures, type SubjectSummary } from '../score';
import { DAY_MS } from '../time';
import { signupTime, signupTrait, traitMatch, traitValues, type PersonTraits } from '../traits';
import { activeDayCount, mergeActivities, type Activity } from './activity';
import type { AccountDoc, DocView, UserDoc } from './docs';
import { measureValue } from './measures';
import { statePlan } from './statePlan';

export interface Person extends PersonTraits {
	id: string;
	firstAt: number;
}

/** What is scored: one account's or user's activity, its people and the traits rules read. */
export interface Subject {
	level: 'account' | 'user';
	id: string;
	accountId: string | undefined;
	activity: Activity;
	people: Person[];
	traits: Properties | undefined;
}

function person(user: UserDoc | undefined, id: string, firstAt: number): Person {
	return { id, firstAt, email: user?.email?.[0], traits: traitValues(user?.traits) };
}

/**
 * An account's own events and its users' unassigned ones, with its members in the order they first
 * acted (listed when first read: scores that read no person never build the list). A class, so that
 * the lazy list costs no closure per account.
 */
class AccountSubject implements Subject {
	readonly level = 'account';
	readonly accountId: string;
	private listed: Person[] | undefined;
	constructor(
		readonly id: string,
		readonly activity: Activity,
		readonly traits: Properties | undefined,
		private readonly view: DocView,
		private readonly account: AccountDoc,
	) {
		this.accountId = id;
	}
	get people(): Person[] {
		return (this.listed ??= accountPeople(this.view, this.account));
	}
}

export function accountSubject(model: CompiledModel, view: DocView, account: AccountDoc): Subject {
	const parts = [account.named];
	for (const userId of account.floatingUsers) {
		const user = view.user(userId);
		if (user?.floating !== undefined && user.floatingAccount === account.id) parts.push(user.floating);
	}
	return new AccountSubject(account.id, mergeActivities(statePlan(model), parts), traitValues(account.traits), view, account);
}

function accountPeople(view: DocView, account: AccountDoc): Person[] {
	const firstAt = new Map<string, number>();
	for (const [userId, first] of account.members) firstAt.set(userId, first);
	for (const userId of account.floatingUsers) {
		const user = view.user(userId);
		if (user?.floating === undefined || user.floatingAccount !== account.id) continue;
		firstAt.set(userId, Math.min(firstAt.get(userId) ?? Infinity, user.floating.firstSeen ?? Infinity));
	}
	return [...firstAt]
		.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
		.map(([userId, first]) => person(view.user(userId), userId, first));
}

/** What the model's rules measure for the subject as of `asOf` (not before its latest event). */
export function subjectFeatures(model: CompiledModel, subject: Subject, asOf: number): SubjectFeatures {
	const plan = statePlan(model);
	const count = model.rules.length;
	const values = new Array<number>(count);
	const lastMatch = new Array<number>(count).fill(NaN);
	const traitValuesOut = new Array<unknown>(count);
	const { activity, traits } = subject;
	const rules = model.rules;
	for (let r = 0; r < rules.length; r++) {
		const rule = rules[r];
		const i = rule.index;
		const measure = plan.measureOfRule[i];
		if (measure !== undefined) {
			const measured = measureValue(activity.measures[measure.key], asOf - rule.windowMs, asOf);
			values[i] = measured.value;
			lastMatch[i] = measured.lastMatch;
			continue;
		}
		switch (rule.type) {
			case 'inactiveDays':
				values[i] = activity.lastSeen === undefined ? NaN : Math.floor((asOf - activity.lastSeen) / DAY_MS);
				break;
			case 'daysSinceSignup':
				values[i] = Math.floor((asOf - signupTime(rule, traits, subject.people, activity.firstSeen ?? NaN)) / DAY_MS);
				break;
			case 'trait': {
				const found = traitMatch(rule, traits, subject.people);
				values[i] = found.matched ? 1 : 0;
				traitValuesOut[i] = found.value;
				break;
			}
			default:
				values[i] = NaN;
		}
	}
	return { values, lastMatch, traitValues: traitValuesOut, signupAt: signupAt(model, subject) };
}

function signupAt(model: CompiledModel, subject: Subject): number {
	if (!model.needsSignup) return NaN;
	const fromTraits = signupTrait(undefined, subject.traits, subject.people);
	return Number.isNaN(fromTraits) ? (subject.activity.firstSeen ?? NaN) : fromTraits;
}

export function subjectSummary(subject: Subject): SubjectSummary {
	const isAccount = subject.level === 'account';
	const name = subject.traits?.name;
	return {
		level: subject.level,
		id: subject.id,
		name: isAccount ? (typeof name === 'string' ? name : undefined) : subject.people[0]?.email,
		accountId: subject.accountId,
		users: subject.people.map((p) => ({ id: p.id, email: p.email })),
		firstSeen: subject.activity.firstSeen,
		lastSeen: subject.activity.lastSeen,
		activeDays: activeDayCount(subject.activity),
		eventCounts: { ...subject.activity.eventCounts },
	};
}

export function scoreOf(model: CompiledModel, subject: Subject, asOf: number): ScoreResult {
	return scoreSubject(model, subjectSummary(subject), subjectFeatures(model, subject, asOf), asOf);
}

export function verdictOf(model: CompiledModel, subject: Subject, asOf: number): ScoreVerdict {
	return scoreVerdict(model, subjectFeatures(model, subject, asOf), asOf);
}
