import { toList } from '../rules/conditions';
import { parseTimestamp } from '../time';
import { hostOf } from '../enrich/domain';
import { DEFAULT_LEAD_FIELDS, type LeadFieldPaths } from './lead';
import type { AntiPqlConfig, AntiPqlRules } from './rules';

/** The Anti-PQL Filter's parameters as the node UI holds them (names as in the UI, values as typed). */
export interface AntiPqlParameters {
	inactive?: boolean;
	inactiveDays?: number;
	lowUsage?: boolean;
	lowUsageSignupDays?: number;
	lowUsageMeasure?: string;
	lowUsageFewerThan?: number;
	neverDid?: boolean;
	coreEvents?: string;
	personalDomain?: boolean;
	disposableDomain?: boolean;
	competitor?: boolean;
	competitorDomains?: string;
	internal?: boolean;
	internalDomains?: string;
	testAccounts?: boolean;
	testNamePatterns?: string;
	flags?: boolean;
	flagFields?: string;
	statusFields?: string;
	excludedStatuses?: string;
	asOf?: string;
	fields?: Partial<Record<keyof LeadFieldPaths, string>>;
}

/** A parameter is set wrong; the message names it as the UI shows it. */
export class AntiPqlConfigError extends Error {}

export const DEFAULT_TEST_NAME_PATTERNS = 'test, test *, * test, *(test)*, demo, demo *, sandbox, asdf*, qwerty*';
export const DEFAULT_FLAG_FIELDS = 'churned, isChurned, disqualified, isDisqualified';
export const DEFAULT_STATUS_FIELDS = 'status, lifecycleStage, leadStatus';
export const DEFAULT_EXCLUDED_STATUSES = 'churned, disqualified, unqualified, closed lost';

function textList(value: string | undefined): string[] {
	return toList(value ?? '').map((entry) => String(entry).trim()).filter((entry) => entry !== '');
}

function count(value: number | undefined, label: string, fallback: number): number {
	const number = value ?? fallback;
	if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) {
		throw new AntiPqlConfigError(`"${label}" must be a number of 0 or more, got ${JSON.stringify(value)}`);
	}
	return number;
}

function requiredList(value: string | undefined, label: string, rule: string): string[] {
	const entries = textList(value);
	if (entries.length === 0) throw new AntiPqlConfigError(`"${label}" is empty: list at least one, or turn off "${rule}"`);
	return entries;
}

function domainList(value: string | undefined, label: string, rule: string): string[] {
	return requiredList(value, label, rule).map((entry) => {
		const domain = hostOf(entry);
		if (domain === undefined) throw new AntiPqlConfigError(`"${label}": ${JSON.stringify(entry)} is not a domain`);
		return domain;
	});
}

/** The "As Of" option: empty = now. */
export function readAsOfOption(value: string | undefined, now: number): number {
	if (value === undefined || value === '') return now;
	const asOf = parseTimestamp(value);
	if (Number.isNaN(asOf)) throw new AntiPqlConfigError(`Option "As Of" is not a date: ${JSON.stringify(value)}`);
	return asOf;
}

function fieldPaths(overrides: AntiPqlParameters['fields']): LeadFieldPaths {
	const paths = { ...DEFAULT_LEAD_FIELDS };
	for (const key of Object.keys(paths) as Array<keyof LeadFieldPaths>) {
		const listed = textList(overrides?.[key]);
		if (listed.length > 0) paths[key] = listed;
	}
	return paths;
}

function rulesOf(p: AntiPqlParameters): AntiPqlRules {
	const rules: AntiPqlRules = {};
	if (p.inactive ?? true) rules.inactive = { days: count(p.inactiveDays, 'Inactive For (Days)', 21) };
	if (p.lowUsage ?? true) {
		const measure = p.lowUsageMeasure === 'events' ? 'events' : 'activeDays';
		rules.lowUsage = {
			signupDays: count(p.lowUsageSignupDays, 'Signed Up At Least (Days Ago)', 30),
			measure,
			fewerThan: count(p.lowUsageFewerThan, measure === 'events' ? 'Fewer Than (Events)' : 'Fewer Than (Active Days)', 3),
		};
	}
	if (p.neverDid) rules.neverDid = { events: requiredList(p.coreEvents, 'Core Events', 'Never Did Core Events') };
	if (p.personalDomain ?? true) rules.personalDomain = true;
	if (p.disposableDomain ?? true) rules.disposableDomain = true;
	if (p.competitor) rules.competitorDomains = domainList(p.competitorDomains, 'Competitor Domains', 'Competitors');
	if (p.internal) rules.internalDomains = domainList(p.internalDomains, 'Internal Domains', 'Internal Accounts');
	if (p.testAccounts ?? true) rules.testAccounts = { namePatterns: textList(p.testNamePatterns ?? DEFAULT_TEST_NAME_PATTERNS) };
	if (p.flags ?? true) {
		rules.flags = {
			fields: textList(p.flagFields ?? DEFAULT_FLAG_FIELDS),
			statusFields: textList(p.statusFields ?? DEFAULT_STATUS_FIELDS),
			statuses: textList(p.excludedStatuses ?? DEFAULT_EXCLUDED_STATUSES),
		};
	}
	return rules;
}

/** Parameters → the filter's configuration; throws AntiPqlConfigError naming the parameter. */
export function antiPqlConfig(parameters: AntiPqlParameters, now: number): AntiPqlConfig {
	return { asOf: readAsOfOption(parameters.asOf, now), fields: fieldPaths(parameters.fields), rules: rulesOf(parameters) };
}
