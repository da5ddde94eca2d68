export type ParseResult =
	| { ok: true; payload: unknown }
	| { ok: false; status: 400 | 413 | 415; reason: string };

// Some senders (analytics-react-native's Segment client, beacon-style browsers) post JSON as
// text/plain; a missing Content-Type is read as JSON too, since every source we accept sends JSON.
const JSON_MEDIA_TYPES = new Set(['application/json', 'text/plain']);
const UTF8_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);

/** Reads a request body as JSON, answering with the HTTP status a bad body deserves. */
export function parseBody(rawBody: Buffer, contentType: string | undefined, maxBytes: number): ParseResult {
	if (rawBody.length > maxBytes) {
		return {
			ok: false,
			status: 413,
			reason: `request body is ${rawBody.length} bytes, over the limit of ${maxBytes} bytes`,
		};
	}
	const unsupported = unsupportedContentType(contentType);
	if (unsupported !== undefined) return { ok: false, status: 415, reason: unsupported };

	const text = decodeUtf8(rawBody);
	if (text === undefined) return { ok: false, status: 400, reason: 'request body is not valid UTF-8' };
	if (text.trim() === '') return { ok: false, status: 400, reason: 'request body is empty' };
	try {
		return { ok: true, payload: JSON.parse(text) };
	} catch (error) {
		// V8's message names the position, e.g. "Unexpected token } in JSON at position 12".
		return { ok: false, status: 400, reason: `request body is not valid JSON: ${(error as Error).message}` };
	}
}

function unsupportedContentType(contentType: string | undefined): string | undefined {
	if (contentType === undefined || contentType.trim() === '') return undefined;
	const [mediaType, ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
	if (!JSON_MEDIA_TYPES.has(mediaType) && !mediaType.endsWith('+json')) {
		return `Content-Type "${mediaType}" is not supported; send JSON as application/json`;
	}
	const charset = parameters.find((parameter) => parameter.startsWith('charset='));
	const charsetName = charset?.slice('charset='.length).replace(/^"|"$/g, '');
	if (charsetName !== undefined && !UTF8_CHARSETS.has(charsetName)) {
		return `charset "${charsetName}" is not supported; send UTF-8`;
	}
	return undefined;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** The body as text without a leading byte-order mark, or undefined when it is not UTF-8. */
function decodeUtf8(rawBody: Buffer): string | undefined {
	try {
		return utf8Decoder.decode(rawBody);
	} catch {
		return undefined;
	}
}
