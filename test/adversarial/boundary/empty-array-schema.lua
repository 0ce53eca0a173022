-- An empty table where the output schema says array: [].
-- @expect ok
-- @output {"items":[[],[1]]}
-- @contract {"output": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "array"}}}}}
return { items = { {}, { 1 } } }
