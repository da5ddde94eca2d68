import { isProductEvent, type PqlEvent } from '../events/model';
import { accountOfUser, namedAccount, type AccountSource } from '../identity';
import type { CompiledModel } from '../rules/compile';
import { learnTraits, learnValue } from '../traits';
import { adoptModel, compactActivity, emptyActivity, foldProductEvent, hasEvents } from './activity';
import type { AccountDoc, DocView, UserDoc } from './docs';
import { MAX_KEPT_PEOPLE, MAX_USER_ACCOUNTS, statePlan, type StatePlan } from './statePlan';

export interface ApplySettings {
	model: CompiledModel;
	accountFrom: AccountSource;
}

/** Why an event changed nothing, in words for the sender. */
export type Refusal = 'unassigned' | 'storeFull';

/** Where applyEvent lists the accounts whose score may have changed (a batch scores them all at the end and passes a no-op). */
export interface Touched {
	add(accountId: string): unknown;
}

function newAccount(id: string, model: CompiledModel, at: number): AccountDoc {
	return { id, modelVersion: model.version, named: emptyActivity(statePlan(model)), members: [], floatingUsers: [], touchedAt: at };
}

function freshAccount(plan: StatePlan, model: CompiledModel, doc: AccountDoc): AccountDoc {
	if (doc.modelVersion !== model.version) {
		adoptModel(plan, doc.named);
		doc.modelVersion = model.version;
	}
	return doc;
}

function freshUser(plan: StatePlan, model: CompiledModel, doc: UserDoc): UserDoc {
	if (doc.floating !== undefined && doc.modelVersion !== model.version) adoptModel(plan, doc.floating);
	if (doc.floating !== undefined) doc.modelVersion = model.version;
	return doc;
}

/**
 * Whether the event would need an account the view does not have room for: checked before anything
 * changes (and before its id is remembered), so a refused event leaves no trace and its retry counts.
 */
export function wouldOverflow(settings: ApplySettings, view: DocView, event: PqlEvent): boolean {
	if (view.canAddAccount()) return false;
	const named = namedAccount(event, settings.accountFrom);
	if (named !== undefined) return (isProductEvent(event) || event.accountTraits !== undefined) && view.account(named) === undefined;
	if (event.userId === undefined) return false;
	const known = view.user(event.userId);
	const floats = isProductEvent(event) || hasEvents(known?.floating);
	if (!floats) return false;
	// Copies: learnValue changes its argument in place, and nothing may change before the event is accepted.
	const identity = { link: known?.link, email: known?.email === undefined ? undefined : ([...known.email] as [string, number]) };
	if (event.email !== undefined) identity.email = learnValue(identity.email, event.email.toLowerCase(), event.timestamp);
	const target = accountOfUser(identity, settings.accountFrom);
	return target !== undefined && target !== known?.floatingAccount && view.account(target) === undefined;
}

/**
 * Applies one event (deduplicated, timestamp accepted) to the documents it concerns, in batch and
 * stream alike, and adds to `touched` the accounts whose score it may change. Order-free: any order
 * of the same events leaves the same scores as of `scoredFrom` or later (within the bounds of statePlan.ts).
 */
export function applyEvent(settings: ApplySettings, view: DocView, event: PqlEvent, touched: Touched, scoredFrom = -Infinity): Refusal | undefined {
	const { model, accountFrom } = settings;
	const plan = statePlan(model);
	const at = event.timestamp;
	const named = namedAccount(event, accountFrom);
	const product = isProductEvent(event);
	if (wouldOverflow(settings, view, event)) return 'storeFull';

	let account: AccountDoc | undefined;
	let accountWasKnown = false;
	if (named !== undefined && (product || event.accountTraits !== undefined)) {
		const known = view.account(named);
		accountWasKnown = known !== undefined;
		account = known === undefined ? newAccount(named, model, at) : freshAccount(plan, model, known);
		if (event.accountTraits !== undefined) account.traits = learnTraits(account.traits, event.accountTraits, at, plan.accountTraitKeys);
		account.touchedAt = Math.max(account.touchedAt, at);
		touched.add(named);
	}

	let user: UserDoc | undefined;
	let userWasKnown = false;
	const userId = event.userId;
	if (userId !== undefined) {
		const known = view.user(userId);
		userWasKnown = known !== undefined;
		const learns = event.email !== undefined || event.userTraits !== undefined || named !== undefined || (product && named === undefined);
		if (known !== undefined || learns) {
			user = known === undefined ? { id: userId, touchedAt: at } : freshUser(plan, model, known);
			if (event.email !== undefined) user.email = learnValue(user.email, event.email.toLowerCase(), at);
			if (event.userTraits !== undefined) user.traits = learnTraits(user.traits, event.userTraits, at, plan.userTraitKeys);
			if (named !== undefined) user.link = learnValue(user.link, named, at);
			user.touchedAt = Math.max(user.touchedAt, at);
		}
	}

	if (product) {
		if (account !== undefined) {
			foldProductEvent(plan, account.named, event, scoredFrom);
			if (userId !== undefined) joinMember(account, userId, at);
		} else if (user !== undefined) {
			user.floating ??= emptyActivity(plan);
			user.modelVersion = model.version;
			foldProductEvent(plan, user.floating, event, scoredFrom);
		} else return 'unassigned';
	}
	if (account !== undefined && user !== undefined && product) rememberAccount(user, account.id);
	if (account !== undefined && !(view.inPlace && accountWasKnown)) view.putAccount(account);
	if (user !== undefined) {
		const refused = settleFloating(settings, view, user, touched);
		// Only news about the user (e-mail, traits) can change the scores of its other accounts.
		if (event.email !== undefined || event.userTraits !== undefined) for (const id of user.accounts ?? []) touched.add(id);
		if (!(view.inPlace && userWasKnown)) view.putUser(user);
		if (refused !== undefined) return refused;
		if (product && account === undefined) keepFloatingAccountFresh(view, user, at);
		if (product && account === undefined && user.floatingAccount === undefined) return 'unassigned';
	}
	return undefined;
}

/** Documents applyEvent changed, made compact for keeping (see compactActivity). */
export function compactAccount(doc: AccountDoc | undefined): void {
	compactActivity(doc?.named);
}

export function compactUser(doc: UserDoc | undefined): void {
	compactActivity(doc?.floating);
}

function joinMember(account: AccountDoc, userId: string, at: number): void {
	const members = account.members;
	let known: AccountDoc['members'][number] | undefined;
	for (let i = members.length - 1; i >= 0; i--) {
		if (members[i][0] === userId) {
			known = members[i];
			break;
		}
	}
	if (known !== undefined) {
		// Written only when changed: each write of a time into a tuple allocates a number.
		if (at < known[1]) known[1] = at;
		if (at > known[2]) known[2] = at;
		return;
	}
	// A new array of exact length (concat): an array grown by push or built by a spread holds room for 16 more.
	account.members = members.concat([[userId, at, at]]);
	if (account.members.length > MAX_KEPT_PEOPLE) {
		let oldest = 0;
		for (let i = 1; i < account.members.length; i++) if (account.members[i][2] < account.members[oldest][2]) oldest = i;
		account.members.splice(oldest, 1);
	}
}

/** The account a user's unassigned events count for was touched by this one (retention, order-free). */
function keepFloatingAccountFresh(view: DocView, user: UserDoc, at: number): void {
	if (user.floatingAccount === undefined) return;
	const account = view.account(user.floatingAccount);
	if (account === undefined || account.touchedAt >= at) return;
	account.touchedAt = at;
	view.putAccount(account);
}

function rememberAccount(user: UserDoc, accountId: string): void {
	const accounts = user.accounts ?? [];
	if (accounts.includes(accountId)) return;
	// Exact length, as in joinMember.
	user.accounts = (accounts.length < MAX_USER_ACCOUNTS ? accounts : accounts.slice(1 - MAX_USER_ACCOUNTS)).concat(accountId);
}

/** Moves the user's unassigned events to the account the user now belongs to (a later group call, an e-mail). */
function settleFloating(settings: ApplySettings, view: DocView, user: UserDoc, touched: Touched): Refusal | undefined {
	if (user.floating === undefined && user.floatingAccount === undefined) return undefined;
	const target = hasEvents(user.floating) ? accountOfUser(user, settings.accountFrom) : undefined;
	const current = user.floatingAccount;
	if (target === current) {
		if (current !== undefined) touched.add(current);
		return undefined;
	}
	let destination: AccountDoc | undefined;
	if (target !== undefined) {
		destination = view.account(target);
		if (destination === undefined && !view.canAddAccount()) return 'storeFull';
		destination ??= newAccount(target, settings.model, user.floating!.lastSeen!);
	}
	if (current !== undefined) {
		const origin = view.account(current);
		if (origin !== undefined) {
			origin.floatingUsers = origin.floatingUsers.filter((id) => id !== user.id);
			view.putAccount(origin);
		}
		touched.add(current);
	}
	if (destination !== undefined) {
		if (!destination.floatingUsers.includes(user.id)) destination.floatingUsers = destination.floatingUsers.concat(user.id);
		destination.touchedAt = Math.max(destination.touchedAt, user.floating!.lastSeen!);
		view.putAccount(destination);
		touched.add(destination.id);
	}
	user.floatingAccount = target;
	return undefined;
}
