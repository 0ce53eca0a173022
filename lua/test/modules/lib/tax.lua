return {
  -- The rate of a region.
  rate = function(region) return 0.2 end,
  DEFAULT = 0.2,
  names = { "vat" },
}
