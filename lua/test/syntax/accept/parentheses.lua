-- §3.4: parentheses adjust to one value and allow any prefix expression
local a = (f())
local b = ((((1))))
;(f or g)(1)
;("x"):rep(2)
local c = (a).b[(1)]:c()
