-- §3.1: long brackets of any level
local a = [[]]
local b = [[
first newline is skipped]]
local c = [==[
contains ]] and ]=] but not its own closer]==]
local d = [=[one level]=]
local e = [====[
deep level]====]
local f = [[a\z is not an escape in a long string]]
local g = [[
  keeps
  indentation
]]
