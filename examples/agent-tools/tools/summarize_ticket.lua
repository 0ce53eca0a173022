-- Tool: summarize a ticket in one line and rate its priority.
local ticket = tickets.get(input.ticket_id)
if not ticket then return { summary = "no such ticket: " .. input.ticket_id } end

local URGENT_WORDS = { "outage", "down", "charged twice", "security", "data loss" }

local function priority_of(t)
  local text = (t.subject .. " " .. t.body):lower()
  for _, word in ipairs(URGENT_WORDS) do
    if text:find(word, 1, true) then return t.tier == "gold" and "urgent" or "high" end
  end
  return t.tier == "gold" and "high" or "normal"
end

local body = ticket.body
if #body > 120 then body = body:sub(1, 117) .. "..." end

return {
  summary = string.format("[%s] %s: %s", ticket.tier, ticket.subject, body),
  priority = priority_of(ticket),
}
