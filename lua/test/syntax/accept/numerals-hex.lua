-- §3.1: hexadecimal constants, with fractions and binary exponents
local t = {
  0xff, 0XBEBADA, 0x0, 0xA, 0Xa,
  0x0.1E, 0xA23p-4, 0X1.921FB54442D18P+1,
  0x.8, 0x8., 0x1p4, 0x1P-1, 0x1p+1,
  0x7fffffffffffffff,    -- math.maxinteger
  0xffffffffffffffff,    -- wraps around to -1
  0x10000000000000000,   -- wraps around to 0
  0x.1p-1074, 0x1p1024,
}
