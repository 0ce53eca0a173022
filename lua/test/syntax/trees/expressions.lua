-- operator precedence and associativity (§3.4.8)
local r = {
  1 + 2 * 3 - 4 / 5,
  2 ^ 3 ^ 2,
  -x ^ 2,
  a .. b .. c,
  not a == b,
  a or b and c,
  1 | 2 ~ 3 & 4 << 5 >> 6,
  #t + ~n // 2 % 3,
  a < b == (c >= d),
}
