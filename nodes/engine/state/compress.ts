import { BitReader, BitWriter, canonicalCodes, codeLengths, decodingTable, MAX_CODE_BITS } from './huffman';
import { runSteps } from './steps';

/**
 * A small compressor for the built-in store's snapshot: n8n reads the workflow's whole static data
 * on every webhook request, so the snapshot's size is a cost of every request (measured: README,
 * "Capacity of the built-in store"). Text → UTF-8 → LZ77 matches (hash chains, 1 MiB window) →
 * canonical Huffman codes per block of 1 MiB (literals and match lengths share one alphabet,
 * distances have their own, as in DEFLATE) → 13 or 14 bits per 2 characters of 91 printable ASCII
 * ones other than `"`, `'` and `\` (as basE91 does; base64 writes 12), behind a header with the
 * UTF-8 length: a string JSON stores without escapes, 7.7 % shorter than in base64. Our own code because
 * a node package may import no compression module. Strings of the earlier formats (`lz2:`, the same
 * in base64; `lz1:`, LZ4-style sequences) are still read.
 */

const MIN_MATCH = 4;
/** The longest match: length − MIN_MATCH must fit the 32 length codes (below 2^16, see valueCode). */
const MAX_MATCH = MIN_MATCH + 0xffff;
const HASH_BITS = 16;
/** How far back a match may start (bytes, a power of 2), and how many earlier positions of the same hash are tried. */
const WINDOW = 1 << 20;
const CHAIN_DEPTH = 8;
/** Input bytes per block: each block has its own codes. */
const BLOCK = 1 << 20;
const LITERALS = 256;
/** The symbol after the last byte: a cut or changed stream rarely ends exactly there. */
const END = LITERALS;
const LENGTH_BASE = LITERALS + 1;
const LENGTH_CODES = 32;
const DISTANCE_CODES = 40;
/** Bits per code length in a block's header. */
const LENGTH_FIELD_BITS = 4;
export const COMPRESSED_PREFIX = 'lz3:';
const BASE64_PREFIX = 'lz2:';
const EARLIER_PREFIX = 'lz1:';
const PREFIXES = [COMPRESSED_PREFIX, BASE64_PREFIX, EARLIER_PREFIX];

/** Code of a value: 0–3 as such, then 2 codes per power of 2 (the top two bits), the rest as extra bits. */
function valueCode(value: number): number {
	if (value < 4) return value;
	const top = 31 - Math.clz32(value);
	return 2 * top + ((value >>> (top - 1)) & 1);
}

function extraBitsOf(code: number): number {
	return code < 4 ? 0 : (code >> 1) - 1;
}

function baseOf(code: number): number {
	return code < 4 ? code : (2 | (code & 1)) << ((code >> 1) - 1);
}

function hashAt(input: Uint8Array, at: number): number {
	const word = input[at] | (input[at + 1] << 8) | (input[at + 2] << 16) | (input[at + 3] << 24);
	return Math.imul(word, 2654435761) >>> (32 - HASH_BITS);
}

/**
 * LZ77 over `input`, one block at a time: `block(ops, count, final)` gets the block's operations, a
 * literal as its byte (0–255) and a match as two entries, −(length − MIN_MATCH) − 1 then distance − 1.
 * Yields after each block (see compressTextInSteps).
 */
function* matches(input: Uint8Array, block: (ops: Int32Array, count: number, final: boolean) => void): Generator<void, void> {
	const end = input.length;
	const ops = new Int32Array(Math.min(end, BLOCK) + 2);
	const head = new Int32Array(1 << HASH_BITS).fill(-1);
	// Per position within the window (a ring): the previous position with the same hash. A slot is
	// overwritten WINDOW bytes later, when its position is out of reach already.
	const previous = new Int32Array(Math.max(1, Math.min(end, WINDOW)));
	const slot = WINDOW - 1;
	const last = end - MIN_MATCH;
	const insert = (at: number) => {
		const hash = hashAt(input, at);
		previous[at & slot] = head[hash];
		head[hash] = at;
	};
	let matchAt = 0;
	/** The longest earlier match of the text at `at` (its start in matchAt), after adding `at` to the chains. */
	const longestMatch = (at: number): number => {
		let candidate = head[hashAt(input, at)];
		insert(at);
		let bestLength = 0;
		const longest = Math.min(end - at, MAX_MATCH);
		for (let depth = 0; depth < CHAIN_DEPTH && candidate >= 0 && at - candidate < WINDOW; depth++, candidate = previous[candidate & slot]) {
			if (input[candidate + bestLength] !== input[at + bestLength]) continue;
			let length = 0;
			while (length < longest && input[candidate + length] === input[at + length]) length++;
			if (length > bestLength) {
				bestLength = length;
				matchAt = candidate;
			}
		}
		return bestLength;
	};
	let i = 0;
	while (i < end) {
		// A block ends at the first operation reaching past its boundary (the decoder stops at the same one).
		const blockEnd = Math.min(end, (Math.floor(i / BLOCK) + 1) * BLOCK);
		let count = 0;
		while (i < blockEnd) {
			const length = i <= last ? longestMatch(i) : 0;
			if (length < MIN_MATCH) {
				ops[count++] = input[i++];
				continue;
			}
			ops[count++] = -(length - MIN_MATCH) - 1;
			ops[count++] = i - matchAt - 1;
			// Positions inside the match are hashed too (later text repeats from them), up to the last one that can start a match.
			for (let k = i + 1; k < i + length && k <= last; k++) insert(k);
			i += length;
		}
		block(ops, count, i >= end);
		yield;
	}
	if (end === 0) block(ops, 0, true);
}

function writeBlock(writer: BitWriter, ops: Int32Array, count: number, final: boolean): void {
	const symbolCounts = new Uint32Array(LENGTH_BASE + LENGTH_CODES);
	if (final) symbolCounts[END] = 1;
	const distanceCounts = new Uint32Array(DISTANCE_CODES);
	for (let k = 0; k < count; k++) {
		const op = ops[k];
		if (op >= 0) symbolCounts[op]++;
		else {
			symbolCounts[LENGTH_BASE + valueCode(-op - 1)]++;
			distanceCounts[valueCode(ops[++k])]++;
		}
	}
	const symbolLengths = codeLengths(symbolCounts);
	const distanceLengths = codeLengths(distanceCounts);
	for (const length of symbolLengths) writer.write(length, LENGTH_FIELD_BITS);
	for (const length of distanceLengths) writer.write(length, LENGTH_FIELD_BITS);
	const symbolCodes = canonicalCodes(symbolLengths);
	const distanceCodes = canonicalCodes(distanceLengths);
	const writeValue = (value: number, offset: number, codes: Uint16Array, lengths: Uint8Array) => {
		const code = valueCode(value);
		writer.write(codes[offset + code], lengths[offset + code]);
		const extra = extraBitsOf(code);
		if (extra > 0) writer.write(value - baseOf(code), extra);
	};
	for (let k = 0; k < count; k++) {
		const op = ops[k];
		if (op >= 0) writer.write(symbolCodes[op], symbolLengths[op]);
		else {
			writeValue(-op - 1, LENGTH_BASE, symbolCodes, symbolLengths);
			writeValue(ops[++k], 0, distanceCodes, distanceLengths);
		}
	}
	if (final) writer.write(symbolCodes[END], symbolLengths[END]);
}

function damaged(): Error {
	return new Error('compressed snapshot: damaged');
}

function readLengths(reader: BitReader, count: number): Uint8Array {
	const lengths = new Uint8Array(count);
	for (let k = 0; k < count; k++) lengths[k] = reader.read(LENGTH_FIELD_BITS);
	return lengths;
}

function readSymbol(reader: BitReader, table: Uint32Array): number {
	const entry = table[reader.peek(MAX_CODE_BITS)];
	if (entry === 0) throw damaged();
	reader.skip(entry & 15);
	return entry >> 4;
}

function readValue(reader: BitReader, code: number): number {
	const extra = extraBitsOf(code);
	return baseOf(code) + (extra > 0 ? reader.read(extra) : 0);
}

function inflate(input: Uint8Array, size: number): Uint8Array {
	const out = new Uint8Array(size);
	const reader = new BitReader(input, 0);
	let n = 0;
	do {
		const blockEnd = Math.min(size, (Math.floor(n / BLOCK) + 1) * BLOCK);
		const symbols = decodingTable(readLengths(reader, LENGTH_BASE + LENGTH_CODES));
		const distances = decodingTable(readLengths(reader, DISTANCE_CODES));
		while (n < blockEnd) {
			const symbol = readSymbol(reader, symbols);
			if (symbol < LITERALS) {
				out[n++] = symbol;
				continue;
			}
			if (symbol === END) throw damaged();
			const length = readValue(reader, symbol - LENGTH_BASE) + MIN_MATCH;
			const distance = readValue(reader, readSymbol(reader, distances)) + 1;
			if (distance > n || n + length > size) throw damaged();
			// Byte by byte: a match may overlap the bytes it produces (a run).
			for (let from = n - distance, k = 0; k < length; k++) out[n++] = out[from + k];
		}
		if (n === size && readSymbol(reader, symbols) !== END) throw damaged();
		if (reader.consumedBytes > input.length) throw damaged();
	} while (n < size);
	if (reader.consumedBytes !== input.length) throw damaged();
	return out;
}

/** The earlier format: LZ4-style sequences (token: literal count << 4 | match length − 4), offsets as varints. */
function unlz(input: Uint8Array, size: number): Uint8Array {
	const out = new Uint8Array(size);
	let n = 0;
	let i = 0;
	const readByte = () => {
		if (i >= input.length) throw damaged();
		return input[i++];
	};
	const readLength = (base: number) => {
		let value = base;
		if (base === 15) {
			let b: number;
			do value += b = readByte();
			while (b === 255);
		}
		return value;
	};
	while (i < input.length) {
		const token = input[i++];
		const literals = readLength(token >> 4);
		if (n + literals > size || i + literals > input.length) throw damaged();
		out.set(input.subarray(i, i + literals), n);
		n += literals;
		i += literals;
		if (i >= input.length) break;
		let offset = 0;
		for (let shift = 0; ; shift += 7) {
			const b = readByte();
			offset += (b & 127) * 2 ** shift;
			if (b < 128) break;
		}
		const length = readLength(token & 15) + MIN_MATCH;
		if (offset === 0 || offset > n || n + length > size) throw damaged();
		// Byte by byte: a match may overlap the bytes it produces (a run).
		for (let from = n - offset, k = 0; k < length; k++) out[n++] = out[from + k];
	}
	if (n !== size) throw damaged();
	return out;
}

/** Code units as a string, a chunk at a time (String.fromCharCode takes a bounded number of arguments). */
function codesToString(codes: Uint16Array, length: number): string {
	const parts: string[] = [];
	for (let start = 0; start < length; start += 8192) parts.push(String.fromCharCode.apply(null, codes.subarray(start, Math.min(length, start + 8192)) as unknown as number[]));
	return parts.join('');
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGITS = new Uint16Array(64).map((_, i) => ALPHABET.charCodeAt(i));
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

export function toBase64(bytes: Uint8Array): string {
	const codes = new Uint16Array(Math.ceil(bytes.length / 3) * 4);
	let n = 0;
	let i = 0;
	for (; i + 2 < bytes.length; i += 3) {
		const word = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
		codes[n++] = DIGITS[word >> 18];
		codes[n++] = DIGITS[(word >> 12) & 63];
		codes[n++] = DIGITS[(word >> 6) & 63];
		codes[n++] = DIGITS[word & 63];
	}
	if (i < bytes.length) {
		const word = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8);
		codes[n++] = DIGITS[word >> 18];
		codes[n++] = DIGITS[(word >> 12) & 63];
		if (i + 1 < bytes.length) codes[n++] = DIGITS[(word >> 6) & 63];
	}
	return codesToString(codes, n);
}

export function fromBase64(text: string, start = 0): Uint8Array {
	const out = new Uint8Array(Math.floor(((text.length - start) * 3) / 4));
	let n = 0;
	let bits = 0;
	let value = 0;
	for (let i = start; i < text.length; i++) {
		const code = text.charCodeAt(i);
		const digit = code < 128 ? VALUES[code] : -1;
		if (digit < 0) throw new Error('compressed snapshot: not base64');
		value = ((value << 6) | digit) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (value >> bits) & 255;
		}
	}
	return out.subarray(0, n);
}

/** The 91 characters: printable ASCII except `"`, `'` and `\\` (JSON escapes none of them). */
const BASE91 = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).filter((c) => c !== '"' && c !== "'" && c !== '\\').join('');
const BASE91_DIGITS = new Uint16Array(91).map((_, i) => BASE91.charCodeAt(i));
const BASE91_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 91; i++) BASE91_VALUES[BASE91.charCodeAt(i)] = i;

/** basE91's scheme: 13 bits per 2 characters where the 13-bit value is above 88, else 14. */
function toBase91(bytes: Uint8Array): string {
	const codes = new Uint16Array(Math.ceil((bytes.length * 16) / 13) + 2);
	let n = 0;
	let bits = 0;
	let count = 0;
	for (let i = 0; i < bytes.length; i++) {
		bits |= bytes[i] << count;
		count += 8;
		if (count > 13) {
			let value = bits & 8191;
			if (value > 88) {
				bits >>>= 13;
				count -= 13;
			} else {
				value = bits & 16383;
				bits >>>= 14;
				count -= 14;
			}
			codes[n++] = BASE91_DIGITS[value % 91];
			codes[n++] = BASE91_DIGITS[Math.floor(value / 91)];
		}
	}
	if (count > 0) {
		codes[n++] = BASE91_DIGITS[bits % 91];
		if (count > 7 || bits > 90) codes[n++] = BASE91_DIGITS[Math.floor(bits / 91)];
	}
	return codesToString(codes, n);
}

function fromBase91(text: string, start: number): Uint8Array {
	const out = new Uint8Array(Math.ceil(((text.length - start) * 14) / 16) + 1);
	let n = 0;
	let bits = 0;
	let count = 0;
	let value = -1;
	for (let i = start; i < text.length; i++) {
		const code = text.charCodeAt(i);
		const digit = code < 128 ? BASE91_VALUES[code] : -1;
		if (digit < 0) throw new Error('compressed snapshot: not base91');
		if (value < 0) {
			value = digit;
			continue;
		}
		value += digit * 91;
		bits |= value << count;
		count += (value & 8191) > 88 ? 13 : 14;
		do {
			out[n++] = bits & 255;
			bits >>>= 8;
			count -= 8;
		} while (count > 7);
		value = -1;
	}
	if (value >= 0) out[n++] = (bits | (value << count)) & 255;
	return out.subarray(0, n);
}

/** `lz3:<UTF-8 length>:<the coded blocks in 91 characters>`. */
export function compressText(text: string): string {
	return runSteps(compressTextInSteps(text));
}

/** compressText one block (1 MiB of UTF-8) at a time: the caller may let other work run at each yield. */
export function* compressTextInSteps(text: string): Generator<void, string> {
	const bytes = new TextEncoder().encode(text);
	const writer = new BitWriter(bytes.length / 4);
	yield* matches(bytes, (ops, count, final) => writeBlock(writer, ops, count, final));
	return `${COMPRESSED_PREFIX}${bytes.length}:${toBase91(writer.finish())}`;
}

export function isCompressedText(text: string): boolean {
	return PREFIXES.some((prefix) => text.startsWith(prefix));
}

/** The text compressText was given (or the earlier format's); throws on a damaged string. */
export function decompressText(packed: string): string {
	const prefix = packed.slice(0, COMPRESSED_PREFIX.length);
	const colon = packed.indexOf(':', prefix.length);
	const size = Number(packed.slice(prefix.length, colon));
	if (!isCompressedText(packed) || colon < 0 || !Number.isSafeInteger(size) || size < 0) throw new Error('compressed snapshot: no header');
	const bytes = prefix === COMPRESSED_PREFIX ? fromBase91(packed, colon + 1) : fromBase64(packed, colon + 1);
	return new TextDecoder().decode(prefix === EARLIER_PREFIX ? unlz(bytes, size) : inflate(bytes, size));
}
