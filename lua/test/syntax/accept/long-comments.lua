--[[ a long comment
over lines ]] local x = 1
--[==[ level two comment with ]] and ]=] inside ]==] local y = 2
--[ this is a short comment because of the space
--[=x also short
--[===[
]===]
return x + y
