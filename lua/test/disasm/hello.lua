-- A small script for `sandlua disasm` (test/cli-disasm.test.ts) and the disassembler's fixtures.
local greeting = "hello"
local function shout(s, n)
  return s:upper() .. ("!"):rep(n)
end
print(shout(greeting, 3))
return { greeting = greeting, shout = shout }
