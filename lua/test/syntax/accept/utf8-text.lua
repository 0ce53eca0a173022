-- commentaire en français: é à ü
local s = "日本語 and emoji 😀"
local t = { ["clé"] = "valeur" }
return s, t
