-- error: 3:9: <goto b> at line 3 jumps into the scope of local 'x'
-- Lua checks the nested label b (parsed while skipping no-op statements after a) first
goto a; goto b; local x; ::a:: ::b:: print()
