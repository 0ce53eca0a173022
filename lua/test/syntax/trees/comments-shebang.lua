#!/usr/bin/env lua5.3
-- a short comment
--[[ a long
comment ]] local x = 1 --[==[ level 2 ]==]
