-- expect completion includes: confidence count normalized_vendor
return { $0 }
