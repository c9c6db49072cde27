-- wrk script for bench/load.py: each connection's requests rotate through the paths in the file
-- named after `--` (one path a line), each thread starting at another place in the list.
local paths = {}
local counter = 0
local next_index = 1

function setup(thread)
  counter = counter + 1
  thread:set("start", counter)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  next_index = ((start or 1) * 7) % #paths + 1
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end
