/**
 * A small LZ77 compressor for the built-in store's snapshot: n8n reads the workflow's whole static
 * data on every webhook request, so the snapshot's size is a cost of every request (measured: about
 * 3.5× smaller, README "Capacity of the built-in store"). Text → UTF-8 → LZ sequences (LZ4's token
 * layout, offsets as varints) → base64 behind a header with the UTF-8 length: a string JSON stores
 * without escapes. Our own code because a node package may import no compression module.
 */

const MIN_MATCH = 4;
const HASH_BITS = 16;
/** How far back a match may start (bytes, a power of 2), and how many earlier positions of the same hash are tried. */
const WINDOW = 1 << 20;
const CHAIN_DEPTH = 2;
export const COMPRESSED_PREFIX = 'lz1:';

function hashAt(input: Uint8Array, at: number): number {
	const word = input[at] | (input[at + 1] << 8) | (input[at + 2] << 16) | (input[at + 3] << 24);
	return Math.imul(word, 2654435761) >>> (32 - HASH_BITS);
}

/** LZ sequences: token (literal count << 4 | match length − 4, 15 = more bytes follow), literals, offset varint. */
function lz(input: Uint8Array): Uint8Array {
	const end = input.length;
	// Worst case: a 4-byte match costs 4 bytes, so a sequence outgrows its input only by its literal
	// count's extra bytes: at most one per 19 bytes of input (15 literals and a match) and one per 255 literals.
	const out = new Uint8Array(end + Math.ceil(end / 16) + 16);
	let n = 0;
	const writeLength = (value: number) => {
		for (; value >= 255; value -= 255) out[n++] = 255;
		out[n++] = value;
	};
	const writeSequence = (literalStart: number, literalEnd: number, offset: number, matchLength: number) => {
		const literals = literalEnd - literalStart;
		const matchCode = matchLength === 0 ? 0 : matchLength - MIN_MATCH;
		out[n++] = (Math.min(literals, 15) << 4) | Math.min(matchCode, 15);
		if (literals >= 15) writeLength(literals - 15);
		out.set(input.subarray(literalStart, literalEnd), n);
		n += literals;
		if (matchLength === 0) return;
		for (; offset >= 128; offset >>>= 7) out[n++] = (offset & 127) | 128;
		out[n++] = offset;
		if (matchCode >= 15) writeLength(matchCode - 15);
	};
	const head = new Int32Array(1 << HASH_BITS).fill(-1);
	// Per position within the window (a ring): the previous position with the same hash. A slot is
	// overwritten WINDOW bytes later, when its position is out of reach already.
	const previous = new Int32Array(Math.min(end, WINDOW));
	const slot = WINDOW - 1;
	const last = end - MIN_MATCH;
	let literalStart = 0;
	let i = 0;
	while (i <= last) {
		const hash = hashAt(input, i);
		let candidate = head[hash];
		previous[i & slot] = candidate;
		head[hash] = i;
		let bestLength = 0;
		let bestAt = 0;
		for (let depth = 0; depth < CHAIN_DEPTH && candidate >= 0 && i - candidate < WINDOW; depth++, candidate = previous[candidate & slot]) {
			if (input[candidate + bestLength] !== input[i + bestLength]) continue;
			let length = 0;
			while (i + length < end && input[candidate + length] === input[i + length]) length++;
			if (length > bestLength) {
				bestLength = length;
				bestAt = candidate;
			}
		}
		if (bestLength < MIN_MATCH) {
			i++;
			continue;
		}
		writeSequence(literalStart, i, i - bestAt, bestLength);
		const next = i + bestLength;
		// Positions inside the match are hashed too (later text repeats from them), up to the last one that can start a match.
		for (let k = i + 1; k < next && k <= last; k++) {
			const h = hashAt(input, k);
			previous[k & slot] = head[h];
			head[h] = k;
		}
		i = next;
		literalStart = i;
	}
	writeSequence(literalStart, end, 0, 0);
	return out.subarray(0, n);
}

function unlz(input: Uint8Array, size: number): Uint8Array {
	const out = new Uint8Array(size);
	let n = 0;
	let i = 0;
	const damaged = () => new Error('compressed snapshot: damaged');
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

function toBase64(bytes: Uint8Array): string {
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

function fromBase64(text: string, start: number): Uint8Array {
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

/** `lz1:<UTF-8 length>:<base64 of the LZ sequences>`. */
export function compressText(text: string): string {
	const bytes = new TextEncoder().encode(text);
	return `${COMPRESSED_PREFIX}${bytes.length}:${toBase64(lz(bytes))}`;
}

export function isCompressedText(text: string): boolean {
	return text.startsWith(COMPRESSED_PREFIX);
}

/** The text compressText was given; throws on a damaged string. */
export function decompressText(packed: string): string {
	const colon = packed.indexOf(':', COMPRESSED_PREFIX.length);
	const size = Number(packed.slice(COMPRESSED_PREFIX.length, colon));
	if (!isCompressedText(packed) || colon < 0 || !Number.isSafeInteger(size) || size < 0) throw new Error('compressed snapshot: no header');
	return new TextDecoder().decode(unlz(fromBase64(packed, colon + 1), size));
}
