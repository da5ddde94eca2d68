import { emailDomain, isDisposableEmailDomain, isPersonalEmailDomain } from '../data/emailDomains';
import type { Properties } from '../events/model';
import { readPath } from '../rules/conditions';
import { DAY_MS } from '../time';
import { hostOf } from '../enrich/domain';
import { readLead, type Lead, type LeadFieldPaths } from './lead';
import * as reasons from './reasons';
import type { UsageMeasure } from './reasons';

/**
 * The negative ("anti-PQL") rules: each one absent = off. Rules on e-mail addresses hold only when
 * every address of the item does, so one colleague on gmail.com does not discard a company account.
 */
export interface AntiPqlRules {
	inactive?: { days: number };
	lowUsage?: { signupDays: number; measure: UsageMeasure; fewerThan: number };
	neverDid?: { events: string[] };
	personalDomain?: boolean;
	disposableDomain?: boolean;
	competitorDomains?: string[];
	internalDomains?: string[];
	testAccounts?: { namePatterns: string[] };
	flags?: { fields: string[]; statuses: string[]; statusFields: string[] };
}

export interface AntiPqlConfig {
	asOf: number;
	fields: LeadFieldPaths;
	rules: AntiPqlRules;
}

/** Domains reserved for tests and examples by RFC 2606 and RFC 6761. */
const RESERVED_DOMAINS = ['example.com', 'example.net', 'example.org'];
const RESERVED_TLDS = ['test', 'example', 'invalid', 'localhost'];
const TEST_ADDRESS = /\+test/i;

function wholeDays(from: number, to: number): number {
	return Math.max(0, Math.floor((to - from) / DAY_MS));
}

function unique(values: string[]): string[] {
	return [...new Set(values)];
}

/** The listed domain a domain equals or is a sub-domain of. */
function listedMatch(domain: string, listed: string[]): string | undefined {
	return listed.find((entry) => domain === entry || domain.endsWith(`.${entry}`));
}

function isReservedDomain(domain: string): boolean {
	return listedMatch(domain, RESERVED_DOMAINS) !== undefined || RESERVED_TLDS.includes(domain.slice(domain.lastIndexOf('.') + 1));
}

/** `*` stands for any text; the whole name must match, ignoring case. */
export function compileNamePattern(pattern: string): RegExp {
	const escaped = pattern
		.trim()
		.split('*')
		.map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
		.join('.*');
	return new RegExp(`^${escaped}$`, 'i');
}

interface LeadDomains {
	/** The company domain field, normalized. */
	company: string | undefined;
	/** The domain part of each address. */
	email: string[];
}

function leadDomains(lead: Lead): LeadDomains {
	const company = typeof lead.domain?.value === 'string' ? hostOf(lead.domain.value) : undefined;
	const email = lead.emails.map(emailDomain).filter((domain): domain is string => domain !== undefined);
	return { company, email };
}

/** The listed entry the lead belongs to: its company domain, else every e-mail domain, matches the list. */
function domainListMatch(domains: LeadDomains, listed: string[] | undefined): string | undefined {
	if (listed === undefined || listed.length === 0) return undefined;
	if (domains.company !== undefined) {
		if (listedMatch(domains.company, listed) !== undefined) return domains.company;
	}
	if (domains.email.length === 0) return undefined;
	const matches = domains.email.map((domain) => listedMatch(domain, listed));
	return matches.every((match) => match !== undefined) ? domains.email[0] : undefined;
}

function everyEmailDomain(domains: LeadDomains, test: (domain: string) => boolean): string[] | undefined {
	if (domains.email.length === 0 || !domains.email.every(test)) return undefined;
	return unique(domains.email);
}

function isTruthyFlag(value: unknown): boolean {
	if (value === true || value === 1) return true;
	return typeof value === 'string' && ['true', 'yes', '1', 'y'].includes(value.trim().toLowerCase());
}

function activityReasons(lead: Lead, rules: AntiPqlRules, asOf: number): string[] {
	const found: string[] = [];
	if (rules.inactive && lead.lastActivity !== undefined) {
		const inactive = wholeDays(lead.lastActivity, asOf);
		if (inactive >= rules.inactive.days) found.push(reasons.inactiveReason(inactive));
	}
	if (rules.lowUsage && lead.signup !== undefined) {
		const { signupDays, measure, fewerThan } = rules.lowUsage;
		const sinceSignup = wholeDays(lead.signup, asOf);
		const usage = measure === 'events' ? lead.totalEvents : lead.activeDays;
		if (sinceSignup >= signupDays && usage !== undefined && usage < fewerThan) {
			found.push(reasons.lowUsageReason(sinceSignup, measure, usage));
		}
	}
	if (rules.neverDid && rules.neverDid.events.length > 0 && lead.eventCounts !== undefined) {
		const counts = lead.eventCounts;
		if (rules.neverDid.events.every((event) => !(counts[event] > 0))) found.push(reasons.neverDidReason(rules.neverDid.events));
	}
	return found;
}

function domainReasons(lead: Lead, rules: AntiPqlRules): string[] {
	const found: string[] = [];
	const domains = leadDomains(lead);
	const disposable = rules.disposableDomain ? everyEmailDomain(domains, isDisposableEmailDomain) : undefined;
	if (disposable) found.push(reasons.disposableDomainReason(disposable));
	// Most disposable domains are on the free-mail list too: one reason for them is enough.
	const personal = rules.personalDomain && !disposable ? everyEmailDomain(domains, isPersonalEmailDomain) : undefined;
	if (personal) found.push(reasons.personalDomainReason(personal));
	const competitor = domainListMatch(domains, rules.competitorDomains);
	if (competitor) found.push(reasons.competitorDomainReason(competitor));
	const internal = domainListMatch(domains, rules.internalDomains);
	if (internal) found.push(reasons.internalDomainReason(internal));
	if (rules.testAccounts) found.push(...testAccountReasons(lead, domains, rules.testAccounts.namePatterns));
	return found;
}

function testAccountReasons(lead: Lead, domains: LeadDomains, namePatterns: string[]): string[] {
	const found: string[] = [];
	if (lead.emails.length > 0 && lead.emails.every((email) => TEST_ADDRESS.test(email.split('@')[0]))) {
		found.push(reasons.testAddressReason(unique(lead.emails)));
	}
	const reserved = domains.company !== undefined && isReservedDomain(domains.company) ? [domains.company] : everyEmailDomain(domains, isReservedDomain);
	if (reserved) found.push(reasons.reservedTestDomainReason(reserved[0]));
	const name = lead.name?.value;
	if (typeof name === 'string') {
		const pattern = namePatterns.find((candidate) => compileNamePattern(candidate).test(name));
		if (pattern !== undefined) found.push(reasons.testNameReason(name, pattern));
	}
	return found;
}

function flagReasons(item: Properties, flags: NonNullable<AntiPqlRules['flags']>): string[] {
	const found: string[] = [];
	for (const field of flags.fields) {
		if (isTruthyFlag(readPath(item, field))) found.push(reasons.flagReason(field));
	}
	const excluded = flags.statuses.map((status) => status.toLowerCase());
	for (const field of flags.statusFields) {
		const status = readPath(item, field);
		if (typeof status === 'string' && excluded.includes(status.trim().toLowerCase())) found.push(reasons.statusReason(field, status.trim()));
	}
	return found;
}

/**
 * Why an item is not a lead to call, one reason per matching rule (empty = keep it).
 * Throws LeadFieldError when a field the rules read holds something unreadable.
 */
export function antiPqlReasons(item: Properties, config: AntiPqlConfig): string[] {
	const lead = readLead(item, config.fields);
	const { rules } = config;
	return [
		...activityReasons(lead, rules, config.asOf),
		...domainReasons(lead, rules),
		...(rules.flags ? flagReasons(item, rules.flags) : []),
	];
}
