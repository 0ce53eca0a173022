// Text differences as edits: the one ranged change that turns a text into another (a client's
// whole-text change, a formatted document).

/**
 * A whole-text change as the one ranged change it amounts to: the text between the common prefix
 * and the common suffix of the previous and the new text, as UTF-16 offsets into the previous text.
 * Neither end splits a CRLF or a surrogate pair of either text, so the range is one an editor could
 * have sent (and the document's line offsets, updated from the inserted text, stay right).
 */
export function rangedChange(previous: string, text: string): { start: number; end: number; newText: string } {
  const limit = Math.min(previous.length, text.length);
  // Equal blocks first (slices compare natively), then characters.
  const BLOCK = 1024;
  let start = 0;
  while (start + BLOCK <= limit && previous.slice(start, start + BLOCK) === text.slice(start, start + BLOCK)) start += BLOCK;
  while (start < limit && previous.charCodeAt(start) === text.charCodeAt(start)) start++;
  while (start > 0 && (splits(previous, start) || splits(text, start))) start--;
  let suffix = 0;
  while (suffix + BLOCK <= limit - start && previous.slice(previous.length - suffix - BLOCK, previous.length - suffix) === text.slice(text.length - suffix - BLOCK, text.length - suffix)) suffix += BLOCK;
  while (suffix < limit - start && previous.charCodeAt(previous.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  while (suffix > 0 && (splits(previous, previous.length - suffix) || splits(text, text.length - suffix))) suffix--;
  return { start, end: previous.length - suffix, newText: text.slice(start, text.length - suffix) };
}

/** Whether offset `at` falls inside a CRLF or a surrogate pair of `text`. */
function splits(text: string, at: number): boolean {
  const before = text.charCodeAt(at - 1);
  const after = text.charCodeAt(at);
  return (before === 13 && after === 10) || (before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff);
}
