#!/usr/bin/env lua5.3
-- a line comment
local x = 1 -- trailing comment
--[[ a long
comment ]] local y = 2
--[==[ level two: ]] and ]=] do not close it
]==]
--[= not a long bracket, so a line comment
---[[ a line comment too (three dashes)
local z = x - -y --[[inline]] + 1
