-- 2^53 itself is exact: it passes.
-- @expect ok
-- @output {"n":9007199254740992}
return { n = 1 << 53 }
