#!/usr/bin/env lua5.3
print("a # first line is skipped")
