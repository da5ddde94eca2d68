/**
 * The one place the Anti-PQL Filter's reasons are worded (and Enrich Account's reasons for
 * skipping a personal or disposable domain): one function per rule, so the Slack line, the CRM
 * field and the tests agree.
 */

function days(count: number): string {
	return count === 1 ? '1 day' : `${count} days`;
}

function list(values: string[]): string {
	return values.join(', ');
}

export function inactiveReason(daysInactive: number): string {
	return `No activity for ${days(daysInactive)}`;
}

export type UsageMeasure = 'events' | 'activeDays';

export function lowUsageReason(daysSinceSignup: number, measure: UsageMeasure, value: number): string {
	const usage = measure === 'events' ? `with only ${value === 1 ? '1 event' : `${value} events`}` : `active on only ${days(value)}`;
	return `Signed up ${days(daysSinceSignup)} ago, ${usage}`;
}

export function neverDidReason(events: string[]): string {
	return events.length === 1 ? `Never did ${events[0]}` : `Never did any of ${list(events)}`;
}

export function personalDomainReason(domains: string[]): string {
	return `Personal e-mail domain${domains.length === 1 ? '' : 's'} ${list(domains)}`;
}

export function disposableDomainReason(domains: string[]): string {
	return `Disposable e-mail domain${domains.length === 1 ? '' : 's'} ${list(domains)}`;
}

export function competitorDomainReason(domain: string): string {
	return `Competitor domain ${domain}`;
}

export function internalDomainReason(domain: string): string {
	return `Internal domain ${domain}`;
}

export function testAddressReason(emails: string[]): string {
	return `Test address${emails.length === 1 ? '' : 'es'} ${list(emails)}`;
}

export function reservedTestDomainReason(domain: string): string {
	return `Reserved test domain ${domain}`;
}

export function testNameReason(name: string, pattern: string): string {
	return `Test account name "${name}" (matches "${pattern}")`;
}

export function flagReason(field: string): string {
	return `Flag ${field} is set`;
}

export function statusReason(field: string, status: string): string {
	return `Status ${field} is ${status}`;
}

export const DEFAULT_CUSTOM_CONDITION_REASON = 'Matches the custom exclusion conditions';

export function customConditionReason(label: string | undefined): string {
	const text = label?.trim();
	return text ? text : DEFAULT_CUSTOM_CONDITION_REASON;
}
