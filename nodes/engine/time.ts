export const DAY_MS = 86_400_000;

/** Whole UTC days since the epoch: the unit of "active days" and of per-day counters. */
export function utcDay(epochMs: number): number {
	return Math.floor(epochMs / DAY_MS);
}

function pad(value: number, width: number): string {
	return String(value).padStart(width, '0');
}

/** Civil date of a day count since 1970-01-01 (Howard Hinnant's civil_from_days). */
function civilFromDays(days: number): [number, number, number] {
	const z = days + 719468;
	const era = Math.floor(z / 146097);
	const dayOfEra = z - era * 146097;
	const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
	const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
	const mp = Math.floor((5 * dayOfYear + 2) / 153);
	const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
	const month = mp < 10 ? mp + 3 : mp - 9;
	return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** ISO-8601 in UTC, like Date.prototype.toISOString for years 0–9999, several times faster; null for no time. */
export function toIso(epochMs: number | undefined): string | null {
	if (epochMs === undefined || !Number.isFinite(epochMs)) return null;
	const days = Math.floor(epochMs / DAY_MS);
	const [year, month, day] = civilFromDays(days);
	if (year < 0 || year > 9999) return new Date(epochMs).toISOString();
	let ms = epochMs - days * DAY_MS;
	const hours = Math.floor(ms / 3_600_000);
	ms -= hours * 3_600_000;
	const minutes = Math.floor(ms / 60_000);
	ms -= minutes * 60_000;
	const seconds = Math.floor(ms / 1000);
	ms -= seconds * 1000;
	return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(Math.floor(ms), 3)}Z`;
}

// Epoch numbers below this are taken as seconds (Mixpanel's `time`), above as milliseconds.
// 1e11 s is the year 5138; 1e11 ms is March 1973.
const SECONDS_BELOW = 1e11;

/**
 * Epoch milliseconds from a number (s or ms), a Date, or a date string. The common ISO-8601
 * forms are parsed by hand: Date.parse costs ~3x more and timestamps are on every event's path.
 * Returns NaN when the value is not a date.
 */
export function parseTimestamp(value: unknown): number {
	if (typeof value === 'string') return parseIsoTimestamp(value);
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return NaN;
		return Math.abs(value) < SECONDS_BELOW ? value * 1000 : value;
	}
	if (value instanceof Date) return value.getTime();
	return NaN;
}

function digits(s: string, start: number, count: number): number {
	let n = 0;
	for (let i = start; i < start + count; i++) {
		const d = s.charCodeAt(i) - 48;
		if (d < 0 || d > 9) return -1;
		n = n * 10 + d;
	}
	return n;
}

/** Days from 1970-01-01 to the given civil date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
	const y = month <= 2 ? year - 1 : year;
	const era = Math.floor(y / 400);
	const yearOfEra = y - era * 400;
	const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
	const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
	return era * 146097 + dayOfEra - 719468;
}

/** YYYY-MM-DD[(T| )HH:MM[:SS[.fff…]]][Z|±HH[:]MM]; anything else falls back to Date.parse. */
export function parseIsoTimestamp(s: string): number {
	const len = s.length;
	if (len < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return fallback(s);
	const year = digits(s, 0, 4);
	const month = digits(s, 5, 2);
	const day = digits(s, 8, 2);
	if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31) return fallback(s);
	let ms = daysFromCivil(year, month, day) * DAY_MS;
	if (len === 10) return ms;
	const sep = s.charCodeAt(10);
	if ((sep !== 84 && sep !== 32) || len < 16 || s.charCodeAt(13) !== 58) return fallback(s);
	const hour = digits(s, 11, 2);
	const minute = digits(s, 14, 2);
	if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return fallback(s);
	ms += hour * 3_600_000 + minute * 60_000;
	let i = 16;
	if (i < len && s.charCodeAt(i) === 58) {
		const second = digits(s, 17, 2);
		if (second < 0 || second > 60) return fallback(s);
		ms += second * 1000;
		i = 19;
		if (i < len && s.charCodeAt(i) === 46) {
			i++;
			let scale = 100;
			let fraction = 0;
			while (i < len) {
				const d = s.charCodeAt(i) - 48;
				if (d < 0 || d > 9) break;
				fraction += d * scale;
				scale /= 10;
				i++;
			}
			ms += Math.floor(fraction);
		}
	}
	if (i === len) return ms; // no zone: read as UTC, like the rest of the engine
	const zone = s.charCodeAt(i);
	if (zone === 90 && i + 1 === len) return ms;
	if ((zone === 43 || zone === 45) && (len === i + 6 || len === i + 5 || len === i + 3)) {
		const offsetHour = digits(s, i + 1, 2);
		const offsetMinute = len === i + 3 ? 0 : digits(s, len - 2, 2);
		if (offsetHour < 0 || offsetMinute < 0) return fallback(s);
		const offset = offsetHour * 3_600_000 + offsetMinute * 60_000;
		return zone === 43 ? ms - offset : ms + offset;
	}
	return fallback(s);
}

function fallback(s: string): number {
	return Date.parse(s);
}

/** Events dated up to this far after "now" (clock skew, SDK batching) count as happening now; later ones are refused. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The event with its time checked against `now`: clamped when slightly ahead, a reason when too far ahead or unreadable. */
export function acceptEventTime<T extends { timestamp: number }>(event: T, now: number): T | string {
	if (!Number.isFinite(event.timestamp)) return 'the event has no readable timestamp';
	if (event.timestamp <= now) return event;
	if (event.timestamp - now <= MAX_CLOCK_SKEW_MS) return { ...event, timestamp: now };
	return `timestamp ${new Date(event.timestamp).toISOString()} is more than ${MAX_CLOCK_SKEW_MS / 60000} minutes in the future (clock skew?)`;
}
