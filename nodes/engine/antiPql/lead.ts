import type { Properties } from '../events/model';
import { readPath, toList, toNumber } from '../rules/conditions';
import { parseTimestamp } from '../time';

/**
 * What the Anti-PQL Filter reads from an item, and where. Each entry lists field paths; the first
 * that holds a value is used. The defaults read PQL Score items (`users[].email`, `lastSeen`,
 * `firstSeen`, `activeDays`, `eventCounts`), PQL Threshold Trigger items (`accountName`) and plain
 * contact / CRM items (`email`, `domain`, `website`, `createdAt`).
 */
export interface LeadFieldPaths {
	email: string[];
	domain: string[];
	name: string[];
	lastActivity: string[];
	signup: string[];
	eventCounts: string[];
	activeDays: string[];
}

export const DEFAULT_LEAD_FIELDS: LeadFieldPaths = {
	email: ['email', 'users', 'contact.email', 'traits.email'],
	domain: ['domain', 'companyDomain', 'company.domain', 'website', 'accountId'],
	name: ['name', 'accountName', 'companyName', 'company.name', 'company'],
	lastActivity: ['lastSeen', 'last_seen', 'lastActiveAt', 'lastActivityAt'],
	signup: ['createdAt', 'created_at', 'signedUpAt', 'signupDate', 'firstSeen', 'first_seen'],
	eventCounts: ['eventCounts', 'eventCount', 'event_count'],
	activeDays: ['activeDays', 'active_days'],
};

/** A field holds something the filter cannot read; the message names the field. */
export class LeadFieldError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(`Field "${field}" ${message}`);
	}
}

export interface FieldValue {
	path: string;
	value: unknown;
}

function isPresent(value: unknown): boolean {
	return value !== undefined && value !== null && value !== '';
}

/** The first path holding a value (not undefined, null or ''). */
export function firstPresent(source: Properties, paths: string[]): FieldValue | undefined {
	for (const path of paths) {
		const value = readPath(source, path);
		if (isPresent(value)) return { path, value };
	}
	return undefined;
}

function firstString(source: Properties, paths: string[]): FieldValue | undefined {
	for (const path of paths) {
		const value = readPath(source, path);
		if (typeof value === 'string' && value.trim() !== '') return { path, value: value.trim() };
	}
	return undefined;
}

/** Addresses in a value: a string, a comma-separated string, a list of strings or of `{email}` objects. */
export function emailsIn(value: unknown): string[] {
	const emails: string[] = [];
	for (const entry of Array.isArray(value) ? value : toList(value)) {
		const email = typeof entry === 'string' ? entry : (entry as { email?: unknown } | null)?.email;
		if (typeof email === 'string' && email.includes('@')) emails.push(email.trim().toLowerCase());
	}
	return emails;
}

export interface Lead {
	emails: string[];
	/** The company domain field as written (a domain or a URL), when there is one. */
	domain: FieldValue | undefined;
	name: FieldValue | undefined;
	/** Epoch ms. */
	lastActivity: number | undefined;
	signup: number | undefined;
	/** Events per name, when the item has them per name. */
	eventCounts: Record<string, number> | undefined;
	totalEvents: number | undefined;
	activeDays: number | undefined;
}

function readTime(source: Properties, paths: string[]): number | undefined {
	const found = firstPresent(source, paths);
	if (found === undefined) return undefined;
	const time = parseTimestamp(found.value);
	if (Number.isNaN(time)) throw new LeadFieldError(found.path, `is not a date: ${JSON.stringify(found.value)}`);
	return time;
}

function readCount(found: FieldValue): number {
	const count = toNumber(found.value);
	if (!Number.isFinite(count)) throw new LeadFieldError(found.path, `is not a number: ${JSON.stringify(found.value)}`);
	return count;
}

function readEventCounts(source: Properties, paths: string[]): Pick<Lead, 'eventCounts' | 'totalEvents'> {
	const found = firstPresent(source, paths);
	if (found === undefined) return { eventCounts: undefined, totalEvents: undefined };
	if (typeof found.value !== 'object' || Array.isArray(found.value)) return { eventCounts: undefined, totalEvents: readCount(found) };
	const eventCounts: Record<string, number> = {};
	let totalEvents = 0;
	for (const [name, value] of Object.entries(found.value as Properties)) {
		const count = readCount({ path: `${found.path}.${name}`, value });
		eventCounts[name] = count;
		totalEvents += count;
	}
	return { eventCounts, totalEvents };
}

/** Reads an item through the field paths; throws LeadFieldError for a value that is present but unreadable. */
export function readLead(source: Properties, fields: LeadFieldPaths): Lead {
	const emailField = firstPresent(source, fields.email);
	const activeDays = firstPresent(source, fields.activeDays);
	return {
		emails: emailField === undefined ? [] : emailsIn(emailField.value),
		domain: firstString(source, fields.domain),
		name: firstString(source, fields.name),
		lastActivity: readTime(source, fields.lastActivity),
		signup: readTime(source, fields.signup),
		...readEventCounts(source, fields.eventCounts),
		activeDays: activeDays === undefined ? undefined : readCount(activeDays),
	};
}
