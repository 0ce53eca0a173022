-- expect completion: data/rates.csv logs/run.log
for line in io.lines("$0") do end
