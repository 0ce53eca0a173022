local x = 0x1p4 + 0xA.8p-2 // 3 ~ 1 << 2
s = [==[ long ]] still ]==]
--[=[ comment
]=] goto continue
::continue:: obj:method("a\z
  b")
