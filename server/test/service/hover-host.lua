-- expect hover: kb.search(query: string, limit: integer?): string[]
local r = kb.se$0arch("q")
