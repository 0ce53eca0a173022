-- A 10,000-term concatenation: right associative, so luac refuses it ("too many C levels"); the same syntax error.
-- @expect syntax
-- @generate concat 10000
return #x
