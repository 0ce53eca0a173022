-- nothing but comments
--[[ and a
long one ]]
--[==[ of level two ]==]
