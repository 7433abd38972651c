-- Exercises the interpreter: recursion, coroutines, errors (longjmp), the garbage
-- collector, string patterns and formatting, os and io.
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print("fib", fib(24))
print("args", #arg, arg[1], arg[2])

local gen = coroutine.wrap(function(a)
  local b = coroutine.yield(a + 1)
  print("resumed with", b)
  return "done"
end)
print(gen(1)); print(gen(10))

print(pcall(error, "raised"))
print(select(2, pcall(function() local x = nil; return x.y end)))
print(xpcall(function() error({ code = 42 }) end, function(e) return e.code end))

local t = {}
for i = 1, 200000 do t[i] = tostring(i) end
collectgarbage()
print("table", #t, t[#t], collectgarbage("count") > 0)

print(("hello world from lua"):gsub("(%w+)", string.upper))
print(string.format("%q %g %x %5.2f %-5s|", "a\nb", 1e300 * 10, 255, math.pi, "x"))
print(math.maxinteger, math.mininteger, 7 // 2, 7 % -3, 2 ^ 53, 1 / 0, -1 / 0)
print(os.date("!%Y-%m-%d %H:%M:%S", 86400 * 365), os.time({ year = 2000, month = 1, day = 1, hour = 0 }) ~= nil)
print(io.open("/no/such/file"))
print(io.write("written\n"))
local words = {}
for w in ("the quick brown fox jumps over the lazy dog"):gmatch("%a+") do words[#words + 1] = w end
table.sort(words)
print(table.concat(words, ","))
print(utf8.char(72, 228, 8364, 128512), utf8.len("häll€"))
os.exit(3)
