local s1 = "double \"quoted\" with 'single' inside"
local s2 = 'single \'quoted\' with "double" inside'
local esc = "\a\b\f\n\r\t\v\\\"\' \x41\x7a \65\0\255\0123 \u{48}\u{7FFFFFFF}\u{0000041}"
local bad = "\q \256 \x4 \u{80000000} \u48"
local cont = "line one\
line two \z
      skipped indentation"
local unterminated = "no closing quote
local after = 'next line is code again'
local long0 = [[no escapes \n here]]
local long2 = [==[ a ]] and ]=] do not close ]==]
local multi = [=[
first
  second ]] still
]=]
local idx = t[ [[key]] ]
