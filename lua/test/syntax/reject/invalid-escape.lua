-- error: 2:11: invalid escape sequence near '"tab is 	, but \q'
local s = "tab is \t, but \q is nothing"
