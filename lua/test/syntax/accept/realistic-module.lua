-- A realistic module: a small JSON encoder and an invoice normaliser, the kind of script Sandlua runs.
local M = {}

local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
                  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }

local function escape(s)
  return (s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format('\\u%04x', c:byte())
  end))
end

local function is_array(t)
  local n = 0
  for k in pairs(t) do
    if math.type(k) ~= 'integer' or k < 1 then return false end
    n = n + 1
  end
  return n == #t
end

function M.encode(value, depth)
  depth = depth or 0
  if depth > 100 then error('nesting too deep', 2) end
  local kind = type(value)
  if kind == 'nil' then
    return 'null'
  elseif kind == 'boolean' then
    return tostring(value)
  elseif kind == 'number' then
    if value ~= value or value == math.huge or value == -math.huge then
      error('cannot encode ' .. tostring(value))
    end
    return math.type(value) == 'integer' and string.format('%d', value) or string.format('%.14g', value)
  elseif kind == 'string' then
    return '"' .. escape(value) .. '"'
  elseif kind == 'table' then
    local parts = {}
    if is_array(value) then
      for i = 1, #value do parts[#parts + 1] = M.encode(value[i], depth + 1) end
      return '[' .. table.concat(parts, ',') .. ']'
    end
    local keys = {}
    for k in pairs(value) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    for _, k in ipairs(keys) do
      parts[#parts + 1] = '"' .. escape(k) .. '":' .. M.encode(value[k], depth + 1)
    end
    return '{' .. table.concat(parts, ',') .. '}'
  end
  error(('cannot encode a %s'):format(kind))
end

local Invoice = {}
Invoice.__index = Invoice

function Invoice.new(vendor, lines)
  return setmetatable({ vendor = vendor, lines = lines or {} }, Invoice)
end

function Invoice:total()
  local sum = 0
  for _, line in ipairs(self.lines) do
    if line.amount == nil then goto continue end
    sum = sum + line.amount * (line.quantity or 1)
    ::continue::
  end
  return sum
end

function Invoice:tags()
  local tags, seen = {}, {}
  for i = #self.lines, 1, -1 do
    local tag = self.lines[i].tag
    if tag and not seen[tag] then
      seen[tag] = true
      tags[#tags + 1] = tag:lower()
    end
  end
  return tags
end

local input = ... or { vendor_name = ' ACME Corp. ', lines = { { amount = 10.5, quantity = 2, tag = 'Office' } } }
local vendor = input.vendor_name:match('^%s*(.-)%s*$')
local invoice = Invoice.new(vendor, input.lines)
local total = invoice:total()
local confidence = total > 0 and 0.9 or 0.1
repeat
  confidence = confidence * 0.5
until confidence < 0.5 or #vendor > 3

return {
  normalized_vendor = lookup_vendor_alias and lookup_vendor_alias(vendor) or vendor,
  confidence = confidence,
  total = total // 1 | 0,
  tags = invoice:tags(),
  json = M.encode({ vendor = vendor, total = total }),
}
