/**
 * A small interpreter for the part of HogQL a PostHog stand-in must answer: one SELECT from
 * `events` or `groups` with WHERE (AND / OR / comparisons / IN), ORDER BY, LIMIT and OFFSET, and
 * the functions toString(x[, tz]) and toDateTime(text, precision, tz). Anything else is a
 * HogQLError, which the stand-in answers as PostHog does a bad query (400). Test code only.
 *
 * Times are microseconds since the epoch, in UTC, the precision of PostHog's timestamps.
 */
export class HogQLError extends Error {}

type Token = { kind: 'word' | 'string' | 'number' | 'symbol'; text: string; value?: string | number };

const SYMBOLS = ['>=', '<=', '!=', '=', '>', '<', '(', ')', ',', '*'];

function tokenize(sql: string): Token[] {
	const tokens: Token[] = [];
	let i = 0;
	while (i < sql.length) {
		const char = sql[i];
		if (/\s/.test(char)) {
			i++;
		} else if (char === "'") {
			let value = '';
			i++;
			for (;;) {
				if (i >= sql.length) throw new HogQLError('Syntax error: unterminated string');
				const c = sql[i];
				if (c === '\\') {
					const next = sql[i + 1];
					value += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next === '0' ? '\0' : next;
					i += 2;
				} else if (c === "'") {
					i++;
					break;
				} else {
					value += c;
					i++;
				}
			}
			tokens.push({ kind: 'string', text: `'${value}'`, value });
		} else if (/\d/.test(char)) {
			const match = /^\d+(\.\d+)?/.exec(sql.slice(i))![0];
			tokens.push({ kind: 'number', text: match, value: Number(match) });
			i += match.length;
		} else if (/[A-Za-z_$]/.test(char)) {
			const match = /^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*/.exec(sql.slice(i))![0];
			tokens.push({ kind: 'word', text: match });
			i += match.length;
		} else {
			const symbol = SYMBOLS.find((s) => sql.startsWith(s, i));
			if (symbol === undefined) throw new HogQLError(`Syntax error at character ${i}: unexpected "${char}"`);
			tokens.push({ kind: 'symbol', text: symbol });
			i += symbol.length;
		}
	}
	return tokens;
}

export type Expr =
	| { type: 'literal'; value: string | number }
	| { type: 'field'; name: string }
	| { type: 'call'; name: string; args: Expr[] }
	| { type: 'compare'; op: string; left: Expr; right: Expr }
	| { type: 'in'; left: Expr; list: Expr[] }
	| { type: 'and' | 'or'; parts: Expr[] };

export interface SelectQuery {
	columns: Array<{ expr: Expr; name: string }>;
	/** Undefined for `SELECT 1`: one row, no table. */
	table: string | undefined;
	where?: Expr;
	orderBy: Array<{ expr: Expr; descending: boolean }>;
	limit?: number;
	offset?: number;
}

class Parser {
	private position = 0;
	constructor(private readonly tokens: Token[]) {}

	private peek(): Token | undefined {
		return this.tokens[this.position];
	}

	private isWord(word: string): boolean {
		const token = this.peek();
		return token?.kind === 'word' && token.text.toUpperCase() === word;
	}

	private take(): Token {
		const token = this.tokens[this.position++];
		if (token === undefined) throw new HogQLError('Syntax error: unexpected end of query');
		return token;
	}

	private expectWord(word: string): void {
		if (!this.isWord(word)) throw new HogQLError(`Syntax error: expected ${word}, got ${this.peek()?.text ?? 'end of query'}`);
		this.position++;
	}

	private expectSymbol(symbol: string): void {
		const token = this.take();
		if (token.kind !== 'symbol' || token.text !== symbol) throw new HogQLError(`Syntax error: expected "${symbol}", got "${token.text}"`);
	}

	private acceptSymbol(symbol: string): boolean {
		const token = this.peek();
		if (token?.kind === 'symbol' && token.text === symbol) {
			this.position++;
			return true;
		}
		return false;
	}

	select(): SelectQuery {
		this.expectWord('SELECT');
		const columns: SelectQuery['columns'] = [];
		do {
			const start = this.position;
			const expr = this.expression();
			let name = this.tokens.slice(start, this.position).map((t) => t.text).join('');
			if (this.isWord('AS')) {
				this.position++;
				name = this.take().text;
			} else if (expr.type === 'field') {
				name = expr.name.split('.').pop()!;
			}
			columns.push({ expr, name });
		} while (this.acceptSymbol(','));
		let table: string | undefined;
		if (this.isWord('FROM')) {
			this.position++;
			table = this.take().text;
		}
		const query: SelectQuery = { columns, table, orderBy: [] };
		if (this.isWord('WHERE')) {
			this.position++;
			query.where = this.expression();
		}
		if (this.isWord('ORDER')) {
			this.position++;
			this.expectWord('BY');
			do {
				const expr = this.expression();
				let descending = false;
				if (this.isWord('ASC')) this.position++;
				else if (this.isWord('DESC')) {
					this.position++;
					descending = true;
				}
				query.orderBy.push({ expr, descending });
			} while (this.acceptSymbol(','));
		}
		if (this.isWord('LIMIT')) {
			this.position++;
			query.limit = this.integer();
		}
		if (this.isWord('OFFSET')) {
			this.position++;
			query.offset = this.integer();
		}
		if (this.peek() !== undefined) throw new HogQLError(`Syntax error: unexpected "${this.peek()!.text}"`);
		return query;
	}

	private integer(): number {
		const token = this.take();
		if (token.kind !== 'number' || !Number.isInteger(token.value)) throw new HogQLError(`Syntax error: expected a number, got "${token.text}"`);
		return token.value as number;
	}

	private expression(): Expr {
		const parts = [this.conjunction()];
		while (this.isWord('OR')) {
			this.position++;
			parts.push(this.conjunction());
		}
		return parts.length === 1 ? parts[0] : { type: 'or', parts };
	}

	private conjunction(): Expr {
		const parts = [this.comparison()];
		while (this.isWord('AND')) {
			this.position++;
			parts.push(this.comparison());
		}
		return parts.length === 1 ? parts[0] : { type: 'and', parts };
	}

	private comparison(): Expr {
		const left = this.primary();
		if (this.isWord('IN')) {
			this.position++;
			this.expectSymbol('(');
			const list: Expr[] = [];
			do list.push(this.primary());
			while (this.acceptSymbol(','));
			this.expectSymbol(')');
			return { type: 'in', left, list };
		}
		const token = this.peek();
		if (token?.kind === 'symbol' && ['=', '!=', '>', '<', '>=', '<='].includes(token.text)) {
			this.position++;
			return { type: 'compare', op: token.text, left, right: this.primary() };
		}
		return left;
	}

	private primary(): Expr {
		const token = this.take();
		if (token.kind === 'string' || token.kind === 'number') return { type: 'literal', value: token.value! };
		if (token.kind === 'symbol' && token.text === '(') {
			const inner = this.expression();
			this.expectSymbol(')');
			return inner;
		}
		if (token.kind === 'word') {
			if (this.acceptSymbol('(')) {
				const args: Expr[] = [];
				if (!this.acceptSymbol(')')) {
					do args.push(this.expression());
					while (this.acceptSymbol(','));
					this.expectSymbol(')');
				}
				return { type: 'call', name: token.text, args };
			}
			return { type: 'field', name: token.text };
		}
		throw new HogQLError(`Syntax error: unexpected "${token.text}"`);
	}
}

export function parseSelect(sql: string): SelectQuery {
	return new Parser(tokenize(sql)).select();
}

// --- evaluation ---------------------------------------------------------------------------------

/** A value in a row: text, a number, a time (µs since the epoch, UTC) or a JSON object. */
export type Value = string | number | { time: number } | Record<string, unknown> | null;
export type Row = Record<string, Value>;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** µs → `YYYY-MM-DD HH:MM:SS.ffffff`, as ClickHouse prints a DateTime64(6) in UTC. */
export function formatMicros(micros: number): string {
	const date = new Date(Math.floor(micros / 1000));
	const fraction = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
	return (
		`${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
		`${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(fraction, 6)}`
	);
}

/** `YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z]` (UTC) → µs. */
export function parseMicros(text: string): number {
	const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z?$/.exec(text);
	if (!match) throw new HogQLError(`Cannot parse "${text}" as a date and time`);
	const seconds = Date.parse(`${match[1]}T${match[2]}Z`);
	return seconds * 1000 + Number((match[3] ?? '').padEnd(6, '0'));
}

function isTime(value: Value): value is { time: number } {
	return typeof value === 'object' && value !== null && 'time' in value && Object.keys(value).length === 1;
}

function text(value: Value): string {
	if (value === null) return '';
	if (isTime(value)) return formatMicros(value.time);
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

function call(name: string, args: Value[]): Value {
	switch (name) {
		case 'toString':
			if (args.length === 2 && args[1] !== 'UTC') throw new HogQLError('The stand-in only prints times in UTC');
			return text(args[0]);
		case 'toDateTime': {
			if (typeof args[0] !== 'string') throw new HogQLError('toDateTime takes a string');
			if (args.length > 1 && args[1] !== 6) throw new HogQLError('The stand-in only parses times with precision 6');
			if (args.length > 2 && args[2] !== 'UTC') throw new HogQLError('The stand-in only parses times in UTC');
			return { time: parseMicros(args[0]) };
		}
		default:
			throw new HogQLError(`Unsupported function call "${name}(...)"`);
	}
}

function compareValues(left: Value, right: Value): number {
	const a = isTime(left) ? left.time : left;
	const b = isTime(right) ? right.time : right;
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
	throw new HogQLError(`Cannot compare ${JSON.stringify(left)} with ${JSON.stringify(right)}`);
}

export function evaluate(expr: Expr, row: Row): Value {
	switch (expr.type) {
		case 'literal':
			return expr.value;
		case 'field':
			if (!(expr.name in row)) throw new HogQLError(`Unable to resolve field: ${expr.name}`);
			return row[expr.name];
		case 'call':
			return call(expr.name, expr.args.map((arg) => evaluate(arg, row)));
		case 'in': {
			const left = evaluate(expr.left, row);
			return expr.list.some((item) => compareValues(left, evaluate(item, row)) === 0) ? 1 : 0;
		}
		case 'and':
			return expr.parts.every((part) => evaluate(part, row) === 1) ? 1 : 0;
		case 'or':
			return expr.parts.some((part) => evaluate(part, row) === 1) ? 1 : 0;
		case 'compare': {
			const order = compareValues(evaluate(expr.left, row), evaluate(expr.right, row));
			const result = { '=': order === 0, '!=': order !== 0, '>': order > 0, '<': order < 0, '>=': order >= 0, '<=': order <= 0 }[expr.op];
			return result ? 1 : 0;
		}
	}
}

/** Runs the query over the table's rows; values are printed as PostHog's JSON answer has them. */
export function runSelect(query: SelectQuery, rows: Row[], maxRows: number): { columns: string[]; results: unknown[][]; hasMore: boolean; limit: number; offset: number } {
	const kept = query.where ? rows.filter((row) => evaluate(query.where!, row) === 1) : [...rows];
	kept.sort((a, b) => {
		for (const { expr, descending } of query.orderBy) {
			const order = compareValues(evaluate(expr, a), evaluate(expr, b));
			if (order !== 0) return descending ? -order : order;
		}
		return 0;
	});
	const limit = Math.min(query.limit ?? 100, maxRows);
	const offset = query.offset ?? 0;
	const page = kept.slice(offset, offset + limit);
	// A bare time column comes back as Python's isoformat() of an aware datetime; JSON columns as JSON text.
	const print = (value: Value): unknown =>
		isTime(value) ? `${formatMicros(value.time).replace(' ', 'T')}+00:00` : typeof value === 'object' && value !== null ? JSON.stringify(value) : value;
	return {
		columns: query.columns.map((column) => column.name),
		results: page.map((row) => query.columns.map((column) => print(evaluate(column.expr, row)))),
		hasMore: kept.length > offset + limit,
		limit,
		offset,
	};
}
