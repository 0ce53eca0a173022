-- §3.1: decimal integer and float constants
local t = {
  3, 345, 0, 00012,
  3.0, 3.1416, 314.16e-2, 0.31416E1, 34e1,
  .5, 5., 1e10, 1E+10, 1e-10, 2.5e+3,
  9223372036854775807,   -- math.maxinteger
  9223372036854775808,   -- one more: a float
  1e308, 1e309,          -- the last is inf
  123456789012345678901234567890,
}
