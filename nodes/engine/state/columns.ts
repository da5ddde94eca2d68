import { fromBase64, toBase64 } from './compress';
import type { Steps } from './steps';

/**
 * Lists of packed documents written as columns: each field of every document together (ids with ids,
 * times with times), which the compressor codes in about a third fewer bytes (README, "Capacity of the
 * built-in store"). A column whose values are all lists (or null) is split into columns again, down to
 * a depth, with each list's length kept (−1: null), so lists of any length come back exactly.
 */
export type Column = ['v', unknown[]] | ['t', number[], ...Column[]] | ['u', string, unknown[]];

/**
 * Lowercase hex UUIDs, the ids of many products (PostHog's persons and events, most databases'): a
 * column mostly of them is written as their 16 bytes each in base64 (22 characters a UUID, which the
 * compressor codes in about 16 bytes, instead of about 22 for the 36 hex characters), with the other
 * values as [row, value] pairs.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isUuid = (value: unknown): value is string => typeof value === 'string' && value.length === 36 && UUID.test(value);
/** Where a UUID's 32 hex digits are among its 36 characters. */
const HEX_AT = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35];
const HEX = '0123456789abcdef';
const hexValue = (code: number) => (code <= 57 ? code - 48 : code - 87);

function uuidColumnJson(values: readonly unknown[]): string | undefined {
	let uuids = 0;
	for (const value of values) if (isUuid(value)) uuids++;
	if (uuids === 0 || uuids < values.length / 2) return undefined;
	const bytes = new Uint8Array(uuids * 16);
	const others: unknown[] = [];
	let at = 0;
	values.forEach((value, row) => {
		if (!isUuid(value)) return void others.push(row, value ?? null);
		for (let i = 0; i < 32; i += 2) bytes[at++] = (hexValue(value.charCodeAt(HEX_AT[i])) << 4) | hexValue(value.charCodeAt(HEX_AT[i + 1]));
	});
	return JSON.stringify(['u', toBase64(bytes), others]);
}

function uuidValues(packed: string, others: unknown[]): unknown[] {
	const bytes = fromBase64(packed);
	if (bytes.length % 16 !== 0 || others.length % 2 !== 0) throw new Error('damaged column');
	const values = new Array<unknown>(bytes.length / 16 + others.length / 2);
	for (let i = 0; i < others.length; i += 2) values[others[i] as number] = others[i + 1];
	let at = 0;
	for (let row = 0; row < values.length; row++) {
		if (row in values) continue;
		let text = '';
		for (let i = 0; i < 16; i++) {
			if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
			const byte = bytes[at++];
			text += HEX[byte >> 4] + HEX[byte & 15];
		}
		values[row] = text;
	}
	return values;
}

const isList = (value: unknown): value is unknown[] => Array.isArray(value);

function splits(values: readonly unknown[], depth: number): boolean {
	if (depth === 0) return false;
	let lists = 0;
	for (const value of values) {
		if (isList(value)) lists++;
		else if (value !== null && value !== undefined) return false;
	}
	return lists > 0;
}

/** The column of `values` as JSON text, one field column per step (undefined values are written as null). */
export function* columnJson(values: readonly unknown[], depth: number): Steps<string> {
	if (!splits(values, depth)) {
		const text = uuidColumnJson(values) ?? JSON.stringify(['v', values]);
		yield;
		return text;
	}
	const lengths = new Array<number>(values.length);
	let width = 0;
	for (let row = 0; row < values.length; row++) {
		const value = values[row];
		lengths[row] = isList(value) ? value.length : -1;
		if (lengths[row] > width) width = lengths[row];
	}
	const parts = [`["t",${JSON.stringify(lengths)}`];
	for (let field = 0; field < width; field++) {
		const fieldValues = values.map((value) => (isList(value) && field < value.length ? value[field] : null));
		parts.push(yield* columnJson(fieldValues, depth - 1));
	}
	return `${parts.join(',')}]`;
}

/** The values of a column read back from JSON (throws on a damaged one). */
export function fromColumn(column: Column): unknown[] {
	if (column[0] === 'v' && isList(column[1])) return column[1];
	if (column[0] === 'u' && typeof column[1] === 'string' && isList(column[2])) return uuidValues(column[1], column[2]);
	if (column[0] !== 't' || !isList(column[1])) throw new Error('damaged column');
	const [, lengths, ...packedFields] = column;
	const fields = packedFields.map(fromColumn);
	return lengths.map((length, row) => {
		if (length < 0) return null;
		const value = new Array<unknown>(length);
		for (let field = 0; field < length; field++) value[field] = fields[field][row];
		return value;
	});
}
