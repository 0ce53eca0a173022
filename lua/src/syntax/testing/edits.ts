// The edit between two texts, as an editor's ranged change would say it (for tests of parses told their edit).

import type { SourceEdit } from '../reparse';

/** The smallest replacement that makes `after` from `before`. */
export function smallestEdit(before: string, after: string): SourceEdit {
  let start = 0;
  const limit = Math.min(before.length, after.length);
  while (start < limit && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let suffix = 0;
  while (suffix < limit - start && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start, end: before.length - suffix, text: after.slice(start, after.length - suffix) };
}
