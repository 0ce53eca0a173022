-- error: 2:1: no visible label 'nowhere' for <goto> at line 2
goto nowhere
