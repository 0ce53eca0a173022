local t = { goto_ = 1, ["goto"] = 2 }
t.goto_ = t["goto"]
