-- Tool: find help-center articles for a ticket (or for the agent's own query).
local query = input.query
if query == nil or query == "" then
  local ticket = tickets.get(input.ticket_id)
  query = ticket and ticket.subject or ""
end

local limit = math.min(input.max_results or 3, 10)
local found = kb.search(query:sub(1, 200), limit)

local articles = {}
for i, article in ipairs(found) do
  articles[i] = article.title .. " <" .. article.url .. ">"
end
log.info(("kb.search %q gave %d articles"):format(query, #articles))

return {
  summary = #articles > 0 and ("%d articles for %q"):format(#articles, query) or "no articles found",
  articles = articles,
}
