-- expect signature: add(a: number, b: number): number / 1

---Adds two numbers.
---@param a number the first
---@param b number
---@return number
local function add(a, b) return a + b end
return { normalized_vendor = tostring(add(1, $0)) }
