-- Tool: a compact view of a ticket's tags, most specific first (uses goto and integer division).
local ticket = tickets.get(input.ticket_id)
local tags = ticket and ticket.tags or {}

local seen, unique = {}, {}
for _, tag in ipairs(tags) do
  if seen[tag] then goto continue end
  seen[tag] = true
  unique[#unique + 1] = tag
  ::continue::
end
table.sort(unique, function(a, b)
  if #a ~= #b then return #a > #b end
  return a < b
end)

local half = #unique // 2
return {
  summary = ("%d tags (%d shown first): %s"):format(#unique, half, table.concat(unique, ", ")),
}
