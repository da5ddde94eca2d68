import { parseTimestamp } from '../time';

/** What happened to one account: the label calibration learns from. */
export interface Outcome {
	/** The account id as the outcome source wrote it. */
	accountId: string;
	converted: boolean;
	/** Epoch ms of the conversion (payment, closed-won), when known. */
	convertedAt: number | undefined;
	/** Deal value, when known. */
	value: number | undefined;
}

export interface OutcomeFields {
	accountId: string;
	converted: string;
	convertedAt: string;
	value: string;
}

export const DEFAULT_OUTCOME_FIELDS: OutcomeFields = {
	accountId: 'accountId',
	converted: 'converted',
	convertedAt: 'convertedAt',
	value: 'amount',
};

/** A problem with the calibration input; `field` names the parameter or input field, `itemIndex` the outcome row. */
export class CalibrationError extends Error {
	constructor(
		message: string,
		readonly field: string,
		readonly itemIndex?: number,
	) {
		super(message);
		this.name = 'CalibrationError';
	}
}

/** Accounts are matched case-insensitively and without surrounding spaces (CRM exports vary). */
export function accountKey(id: string): string {
	return id.trim().toLowerCase();
}

const TRUE_TEXTS = new Set(['true', 'yes', 'y', '1', 'won', 'closed won', 'closedwon', 'paid', 'converted', 'customer']);
const FALSE_TEXTS = new Set(['false', 'no', 'n', '0', 'lost', 'closed lost', 'closedlost', 'open', 'lead', '']);

function readField(row: Record<string, unknown>, path: string): unknown {
	let value: unknown = row;
	for (const part of path.split('.')) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[part];
	}
	return value;
}

function readConverted(raw: unknown, field: string, itemIndex: number): boolean | undefined {
	if (raw === undefined || raw === null) return undefined;
	if (typeof raw === 'boolean') return raw;
	if (typeof raw === 'number') return raw !== 0;
	if (typeof raw === 'string') {
		const text = raw.trim().toLowerCase();
		if (TRUE_TEXTS.has(text)) return true;
		if (FALSE_TEXTS.has(text)) return false;
	}
	throw new CalibrationError(`Field "${field}" of outcome row ${itemIndex} is not true/false: ${JSON.stringify(raw)}`, field, itemIndex);
}

/**
 * Reads one outcome per row. A row is a conversion unless its converted field says otherwise
 * (a CRM export of closed-won deals needs no such field); a conversion date implies a conversion.
 * Rows of the same account merge: converted if any row is, earliest conversion, summed value.
 */
export function readOutcomes(rows: Array<Record<string, unknown>>, fields: OutcomeFields = DEFAULT_OUTCOME_FIELDS): Map<string, Outcome> {
	const outcomes = new Map<string, Outcome>();
	rows.forEach((row, itemIndex) => {
		const rawId = readField(row, fields.accountId);
		if ((typeof rawId !== 'string' && typeof rawId !== 'number') || String(rawId).trim() === '') {
			throw new CalibrationError(
				`Outcome row ${itemIndex} has no account id in field "${fields.accountId}" (got ${JSON.stringify(rawId) ?? 'nothing'})`,
				fields.accountId,
				itemIndex,
			);
		}
		const accountId = String(rawId).trim();
		const rawAt = readField(row, fields.convertedAt);
		let convertedAt: number | undefined;
		if (rawAt !== undefined && rawAt !== null && rawAt !== '') {
			convertedAt = parseTimestamp(typeof rawAt === 'string' && /^\d+$/.test(rawAt.trim()) ? Number(rawAt) : rawAt);
			if (Number.isNaN(convertedAt)) {
				throw new CalibrationError(`Field "${fields.convertedAt}" of outcome row ${itemIndex} is not a date: ${JSON.stringify(rawAt)}`, fields.convertedAt, itemIndex);
			}
		}
		const converted = readConverted(readField(row, fields.converted), fields.converted, itemIndex) ?? true;
		const rawValue = readField(row, fields.value);
		const value = rawValue === undefined || rawValue === null || rawValue === '' ? undefined : Number(rawValue);
		if (value !== undefined && !Number.isFinite(value)) {
			throw new CalibrationError(`Field "${fields.value}" of outcome row ${itemIndex} is not a number: ${JSON.stringify(rawValue)}`, fields.value, itemIndex);
		}
		const key = accountKey(accountId);
		const known = outcomes.get(key);
		const outcome: Outcome = { accountId, converted, convertedAt: converted ? convertedAt : undefined, value };
		if (known === undefined) outcomes.set(key, outcome);
		else {
			known.converted ||= outcome.converted;
			if (outcome.convertedAt !== undefined && (known.convertedAt === undefined || outcome.convertedAt < known.convertedAt)) known.convertedAt = outcome.convertedAt;
			if (outcome.value !== undefined) known.value = (known.value ?? 0) + outcome.value;
		}
	});
	return outcomes;
}
