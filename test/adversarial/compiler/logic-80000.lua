-- An 80,000-term and/or chain as the script itself: compiling it takes ~14 s (quadratic, as in
-- PUC), on the compile worker; the run ends at its time limit and the worker gives the chunk up
-- there too, free for the other runs' chunks.
-- @expect budget
-- @generate logic 80000
return x
