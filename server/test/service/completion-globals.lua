-- expect completion includes: lookup_vendor_alias kb tools input string table math os print pairs
-- expect completion excludes: io load require debug dofile collectgarbage loadfile
local x = 1
$0
