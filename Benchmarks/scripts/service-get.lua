-- wrk script of service.sh: GET /profiles/<key> for keys drawn uniformly from the file KEYS_FILE names (one per line).
local keys = {}
for line in io.lines(os.getenv("KEYS_FILE")) do keys[#keys + 1] = line end
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)

request = function()
    return wrk.format("GET", "/profiles/" .. keys[math.random(#keys)])
end
