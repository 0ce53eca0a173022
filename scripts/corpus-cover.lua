-- The corpus check's runner (scripts/corpus-check.mjs): runs one Lua file under the reference
-- interpreter (Debian's lua5.3) and writes, as JSON, every line it executed and every line that
-- raised an error, so that a finding on a line that ran without error can be told apart from one
-- on a line that failed or never ran.
--
--   lua5.3 corpus-cover.lua OUT.json CAP_SECONDS PACKAGE_PATH run FILE
--   lua5.3 corpus-cover.lua OUT.json CAP_SECONDS PACKAGE_PATH require MODULE
--
-- `run` runs the file as a script (`dofile`); `require` loads it as the module the project's other
-- files require (its `...` is the module name, its own requires resolve through PACKAGE_PATH). The
-- global `arg` is removed, as a sandbox has none. The switches of the official test suite's
-- portable, soft run (`_port`, `_soft`) are set, as its driver all.lua does.
--
-- What "executed" means: a line hook (`debug.sethook(f, "l")`) records each (source, line) that
-- starts running, in the main thread and in every coroutine (hooks are per thread, so coroutine
-- bodies set it themselves). What "raised" means: every error, caught or not, passes through a
-- message handler here while its stack is still intact — `pcall` is run as `xpcall` with that
-- handler, `xpcall`'s own handler is wrapped, coroutine bodies run under it — and the handler
-- records the current line of every Lua frame between the error and the protected call that
-- catches it: those lines started but did not finish. The report lists both; the caller takes
-- "executed, minus raised" as the lines that ran without error.
--
-- Time: a cap (CPU time or wall-clock seconds, whichever ends first) checked by the hook; when it
-- is reached (or the script calls os.exit) the report is written first, so a long run still yields
-- what it covered.

local out_path, cap, package_path, mode, target = ...
cap = tonumber(cap) or 10

local getinfo, sethook, gethook = debug.getinfo, debug.sethook, debug.gethook
local clock, time, exit = os.clock, os.time, os.exit
local oxpcall, cocreate, cowrap = xpcall, coroutine.create, coroutine.wrap
local tostring, type, pairs, next = tostring, type, pairs, next
local open, format, sort, concat = io.open, string.format, table.sort, table.concat

local executed = {} -- source -> { [line] = true }
local raised = {}   -- source -> { [line] = true }
local errors = {}   -- the first uncaught error's message
local count = 0
local started, started_at = clock(), os.time()
local written = false

local function escape(s)
  return (s:gsub('[%c"\\\128-\255]', function(c)
    if c == '"' then return '\\"' elseif c == '\\' then return '\\\\' end
    local b = c:byte()
    if b >= 128 then return format('\\u%04x', b) end -- bytes as Latin-1: valid JSON whatever the encoding
    return format('\\u%04x', b)
  end))
end

local function lines_json(set)
  local parts = {}
  for source, lines in pairs(set) do
    if source:sub(1, 1) ~= '@' then goto next_source end -- strings given to load: no file
    local list = {}
    for line in pairs(lines) do list[#list + 1] = line end
    sort(list)
    parts[#parts + 1] = format('"%s":[%s]', escape(source:sub(2)), concat(list, ','))
    ::next_source::
  end
  return '{' .. concat(parts, ',') .. '}'
end

local function write_report(status)
  if written then return end
  written = true
  sethook()
  local f = open(out_path, 'w')
  if not f then return end
  f:write(format('{"status":"%s","error":%s,"executed":%s,"raised":%s}\n', status,
    errors[1] and ('"' .. escape(errors[1]) .. '"') or 'null', lines_json(executed), lines_json(raised)))
  f:close()
end

local function hook(_, line)
  local info = getinfo(2, 'S')
  local source = info.source
  local set = executed[source]
  if not set then set = {}; executed[source] = set end
  set[line] = true
  count = count + 1
  if count % 4096 == 0 and (clock() - started > cap or time() - started_at > cap) then
    write_report('time')
    exit(0, true)
  end
end

-- Records the current line of every Lua frame from the error up to the protected call catching it.
local function record(e)
  local level = 2
  while true do
    local info = getinfo(level, 'Slf')
    if not info or info.func == oxpcall then break end
    if info.currentline and info.currentline > 0 then
      local set = raised[info.source]
      if not set then set = {}; raised[info.source] = set end
      set[info.currentline] = true
    end
    level = level + 1
  end
  return e
end

pcall = function(f, ...) return oxpcall(f, record, ...) end
xpcall = function(f, handler, ...)
  return oxpcall(f, function(e) record(e); return handler(e) end, ...)
end

-- A coroutine body: the hook set in its thread, its errors recorded, then passed on unchanged.
local function rethrow(ok, ...)
  if ok then return ... end
  error((...), 0)
end
local function body(f)
  return function(...)
    sethook(hook, 'l')
    return rethrow(oxpcall(f, record, ...))
  end
end
coroutine.create = function(f) return cocreate(type(f) == 'function' and body(f) or f) end
coroutine.wrap = function(f) return cowrap(type(f) == 'function' and body(f) or f) end

os.exit = function(...)
  write_report('exit')
  return exit(...)
end

package.path = package_path .. ';' .. package.path
_port, _soft = true, true

-- No `arg`: a sandboxed script has none, so code that needs it must not pass for code that ran.
arg = nil

local function main()
  if mode == 'require' then return require(target) end
  return dofile(target)
end

sethook(hook, 'l')
local ok, message = oxpcall(main, record)
sethook()
if not ok then errors[1] = tostring(message) end
write_report(ok and 'ok' or 'error')
