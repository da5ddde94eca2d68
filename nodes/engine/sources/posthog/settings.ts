/** The node's parameters, as n8n hands them over, into the settings of one pull. */
import { DAY_MS, parseTimestamp } from '../../time';
import { PullSettingError, type PullSettings } from './pull';

/** The longest window of the preset scoring rules: a pull with no Since reads that far back. */
export const DEFAULT_LOOK_BACK_DAYS = 30;
export const DEFAULT_PAGE_SIZE = 10_000;

export interface PullParameters {
	eventNames: string;
	since: unknown;
	until: unknown;
	returnAll: boolean;
	limit: number;
	includePersonProperties?: boolean;
	groupType?: string;
	pageSize?: number;
}

/** A dateTime parameter: an ISO string, epoch ms, a Date, or a Luxon DateTime from an expression. */
function epochMs(value: unknown, parameter: string): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const toMillis = (value as { toMillis?: unknown }).toMillis;
	const ms = typeof toMillis === 'function' ? Number(toMillis.call(value)) : parseTimestamp(value);
	if (!Number.isFinite(ms)) throw new PullSettingError(parameter, `${parameter} is not a date: ${JSON.stringify(value)}`);
	return ms;
}

/** Comma- or newline-separated, trimmed, without repeats. */
export function splitEventNames(text: string): string[] {
	const names = text.split(/[,\n]/).map((name) => name.trim()).filter((name) => name !== '');
	return [...new Set(names)];
}

export function readPullSettings(parameters: PullParameters, now: number): PullSettings {
	const until = epochMs(parameters.until, 'Until') ?? now;
	const since = epochMs(parameters.since, 'Since') ?? until - DEFAULT_LOOK_BACK_DAYS * DAY_MS;
	return {
		eventNames: splitEventNames(parameters.eventNames ?? ''),
		since,
		until,
		pageSize: parameters.pageSize ?? DEFAULT_PAGE_SIZE,
		maxEvents: parameters.returnAll ? undefined : parameters.limit,
		includePersonProperties: parameters.includePersonProperties ?? true,
		groupType: parameters.groupType?.trim() || undefined,
	};
}
