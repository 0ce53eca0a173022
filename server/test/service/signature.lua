-- expect signature: kb.search(query: string, limit: integer?): string[] / 1
kb.search("q", $0)
