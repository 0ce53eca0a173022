-- the same label name in different blocks and functions; nested blocks may reuse it
::a::
do ::a:: end
local function f() ::a:: goto a end
do goto a end
while x do ::b:: do ::b:: goto b end end
