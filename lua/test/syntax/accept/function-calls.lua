-- §3.4.10: calls, method calls, string and table arguments
print("hello")
print "hello"
print [[hello]]
print {1, 2}
f()()
f{}"s"[[t]]()
obj:method(1, 2)
obj:method "s"
obj:method {}
obj.a.b:c(1):d(2).e[3]:f()
local s = ("x"):rep(3)
local n = #("abc"):upper()
io.write(string.format("%d\n", 42))
