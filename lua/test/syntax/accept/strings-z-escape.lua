local s = "abc\z

     	  def"
local t = 'x\z'
local u = "\z  "
