-- an error raised in a gsub callback goes through the native's frame
local function shout(word)
  if word == "boom" then error("cannot shout " .. word) end
  return word:upper()
end
print((("quiet words"):gsub("%w+", shout)))
print((("a boom here"):gsub("%w+", shout)))
