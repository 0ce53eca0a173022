-- A 10,000-term concatenation: right associative, so luac refuses it ("too many C levels"); the same syntax error.
-- @known event loop held 57 ms (full run, 2 cores, load average under 3)
-- @expect syntax
-- @generate concat 10000
return #x
