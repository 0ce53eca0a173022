-- error: 3:1: unexpected symbol near '#'

#!/usr/bin/lua
