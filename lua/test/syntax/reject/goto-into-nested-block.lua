-- error: 2:1: no visible label 'inner' for <goto> at line 2
goto inner
do ::inner:: end
