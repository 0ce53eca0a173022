-- expect completion: data/rates.csv out/report.txt logs/run.log
local f = io.open("da$0
