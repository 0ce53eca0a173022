t = {["end"] = 1, ["while"] = 2}
print(t["end"], t["while"])
local _ENV = {print = print}
