/** Text or base64: how a value travels in JSON (kv get --with-metadata, export). */
// ignoreBOM: a leading byte-order mark (EF BB BF) is part of the value and must survive
// as U+FEFF, as it does in export; the default decoder silently drops it.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The value as UTF-8 text, or null when its bytes are not valid UTF-8. */
export function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

export interface JsonValue {
  value: string;
  /** Present (true) when `value` is base64 of binary bytes. */
  base64?: true;
}

export function toJsonValue(bytes: Uint8Array): JsonValue {
  const text = utf8OrNull(bytes);
  if (text !== null) return { value: text };
  return { value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), base64: true };
}
