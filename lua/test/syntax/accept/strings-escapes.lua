-- §3.1: every escape sequence of short strings
local s = {
  "\a\b\f\n\r\t\v\\\"\'",
  'single "quotes" and \'escapes\'',
  "\x41\x42\x7a\xFF\x00",
  "\65\066\0677\255\0\00\000",
  "\u{0}\u{41}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}\u{000000041}",
  "line one\
line two",
  "skip \z
       spaces and newlines with \z",
  "\z",
  "tab	inside",
  "a\r\nb",
}
