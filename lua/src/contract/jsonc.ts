// jsonc-parser's parser alone. The package's main module also loads its formatter and its editor,
// which make caches of indentation strings as they load (~250 KB and ~1 ms at every start of
// `sandlua run` or `check`, which only read a contract; the language server's start too). The
// contract code uses the parser's functions only (edit.ts applies its own edits), so it loads the
// parser's module by its path in the package, which has no `exports` map to forbid that; its types
// and the `ParseErrorCode` constants (a `const enum`, inlined) still come from the package's main
// declarations, which loads nothing.

import type * as api from 'jsonc-parser';

type Parser = Pick<typeof api, 'parseTree' | 'findNodeAtLocation' | 'findNodeAtOffset' | 'getLocation'>;

const parser = require('jsonc-parser/lib/umd/impl/parser') as Parser;

export const { parseTree, findNodeAtLocation, findNodeAtOffset, getLocation } = parser;
