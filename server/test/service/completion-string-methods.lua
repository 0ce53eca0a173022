-- expect completion includes: upper format gsub
-- expect completion excludes: rep dump
local s = ("x"):$0
