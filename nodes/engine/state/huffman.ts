/**
 * Canonical Huffman codes for the snapshot compressor (compress.ts): code lengths from symbol
 * counts (at most MAX_CODE_BITS), codes written least significant bit first, and a decoding table.
 */

export const MAX_CODE_BITS = 15;

/** Code length per symbol (0 = unused) for the given counts, none longer than MAX_CODE_BITS. */
export function codeLengths(counts: Uint32Array): Uint8Array {
	let weights = Array.from(counts);
	for (;;) {
		const lengths = huffmanLengths(weights);
		if (lengths.every((length) => length <= MAX_CODE_BITS)) return lengths;
		// Too deep (rare, very skewed counts): flatten the counts and build again.
		weights = weights.map((weight) => (weight === 0 ? 0 : (weight >> 1) | 1));
	}
}

function huffmanLengths(weights: number[]): Uint8Array {
	const lengths = new Uint8Array(weights.length);
	const used = weights.flatMap((weight, symbol) => (weight > 0 ? [symbol] : []));
	if (used.length === 1) lengths[used[0]] = 1;
	if (used.length <= 1) return lengths;
	// Nodes: leaves first (by symbol), then merged ones; two sorted queues give the tree in O(n log n).
	const weight = used.map((symbol) => weights[symbol]);
	const parent: number[] = new Array(used.length).fill(-1);
	const leaves = used.map((_, index) => index).sort((a, b) => weight[a] - weight[b]);
	const merged: number[] = [];
	let leaf = 0;
	let next = 0;
	const takeLightest = (): number => {
		if (next < merged.length && (leaf >= leaves.length || weight[merged[next]] < weight[leaves[leaf]])) return merged[next++];
		return leaves[leaf++];
	};
	for (let remaining = used.length; remaining > 1; remaining--) {
		const a = takeLightest();
		const b = takeLightest();
		const node = weight.length;
		weight.push(weight[a] + weight[b]);
		parent.push(-1);
		parent[a] = node;
		parent[b] = node;
		merged.push(node);
	}
	const depth: number[] = new Array(weight.length).fill(0);
	for (let node = weight.length - 2; node >= 0; node--) depth[node] = depth[parent[node]] + 1;
	used.forEach((symbol, index) => (lengths[symbol] = depth[index]));
	return lengths;
}

/** Per symbol, its code with the bits reversed (written least significant bit first). */
export function canonicalCodes(lengths: Uint8Array): Uint16Array {
	const perLength = new Uint16Array(MAX_CODE_BITS + 1);
	for (const length of lengths) if (length > 0) perLength[length]++;
	const nextCode = new Uint16Array(MAX_CODE_BITS + 2);
	for (let length = 1, code = 0; length <= MAX_CODE_BITS; length++) {
		code = (code + perLength[length - 1]) << 1;
		nextCode[length] = code;
	}
	const codes = new Uint16Array(lengths.length);
	lengths.forEach((length, symbol) => {
		if (length === 0) return;
		const code = nextCode[length]++;
		let reversed = 0;
		for (let bit = 0; bit < length; bit++) reversed |= ((code >> bit) & 1) << (length - 1 - bit);
		codes[symbol] = reversed;
	});
	return codes;
}

/** Table indexed by the next MAX_CODE_BITS bits: symbol << 4 | code length (0 = no such code). */
export function decodingTable(lengths: Uint8Array): Uint32Array {
	const table = new Uint32Array(1 << MAX_CODE_BITS);
	const codes = canonicalCodes(lengths);
	lengths.forEach((length, symbol) => {
		if (length === 0) return;
		for (let index = codes[symbol]; index < table.length; index += 1 << length) table[index] = (symbol << 4) | length;
	});
	return table;
}

export class BitWriter {
	private bytes: Uint8Array;
	private length = 0;
	private buffer = 0;
	private bits = 0;

	constructor(capacity: number) {
		this.bytes = new Uint8Array(Math.max(16, capacity));
	}

	/** Writes the low `count` bits of `value` (count ≤ 24). */
	write(value: number, count: number): void {
		this.buffer |= value << this.bits;
		this.bits += count;
		while (this.bits >= 8) {
			if (this.length === this.bytes.length) this.grow();
			this.bytes[this.length++] = this.buffer & 255;
			this.buffer >>>= 8;
			this.bits -= 8;
		}
	}

	finish(): Uint8Array {
		if (this.bits > 0) this.write(0, 8 - this.bits);
		return this.bytes.subarray(0, this.length);
	}

	private grow(): void {
		const bigger = new Uint8Array(this.bytes.length * 2);
		bigger.set(this.bytes);
		this.bytes = bigger;
	}
}

export class BitReader {
	private buffer = 0;
	private bits = 0;

	constructor(
		private readonly bytes: Uint8Array,
		private at: number,
	) {}

	/** The next `count` bits (count ≤ 24), without taking them; past the end, zeros. */
	peek(count: number): number {
		while (this.bits < count) {
			this.buffer |= (this.at < this.bytes.length ? this.bytes[this.at] : 0) << this.bits;
			this.at++;
			this.bits += 8;
		}
		return this.buffer & ((1 << count) - 1);
	}

	skip(count: number): void {
		this.buffer >>>= count;
		this.bits -= count;
	}

	read(count: number): number {
		const value = this.peek(count);
		this.skip(count);
		return value;
	}

	/** Bytes the bits taken so far come from (more than the input holds: a damaged input). */
	get consumedBytes(): number {
		return this.at - Math.floor(this.bits / 8);
	}
}
