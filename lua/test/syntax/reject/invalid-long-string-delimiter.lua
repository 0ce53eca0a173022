-- error: 2:11: invalid long string delimiter near '[=='
local s = [==x]==]
