/**
 * Opaque page cursors. Listings are ordered by `_id` descending (ids are created by the server at insert time, so
 * this is newest first), and a cursor names the last id of the page it ends. Continuing "after that id" stays
 * correct while other jobs are inserted or deleted: nothing is repeated and nothing that existed is skipped.
 *
 * The cursor is base64url JSON with a format version, so the encoding can change without breaking clients that
 * hold old cursors for longer than a deploy.
 */

const CURSOR_FORMAT = 1;
const OBJECT_ID_HEX = /^[0-9a-f]{24}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Real cursors are ~50 characters; anything much longer is not one of ours and is not worth decoding. */
const MAX_CURSOR_LENGTH = 200;

/** Where the next page starts: strictly after (older than) the job with this id. */
export interface CursorPosition {
  readonly afterId: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_FORMAT, id: position.afterId }), "utf8").toString(
    "base64url",
  );
}

/** Returns the position, or null when the text is not a cursor this service issued (the caller answers 400). */
export function decodeCursor(text: string): CursorPosition | null {
  if (text.length === 0 || text.length > MAX_CURSOR_LENGTH || !BASE64URL.test(text)) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (typeof decoded !== "object" || decoded === null) return null;
  const { v, id } = decoded as Record<string, unknown>;
  if (v !== CURSOR_FORMAT || typeof id !== "string" || !OBJECT_ID_HEX.test(id)) return null;
  return { afterId: id };
}
