-- wrk script: POSTs the crash reports of a corpus in turn. Argument: the corpus index file,
-- one "path<TAB>content type<TAB>content encoding" line per report. Requests are formatted
-- once, in init(), so that wrk spends its time sending rather than copying bodies.
local requests = {}
local next_report = 0

function init(args)
    for line in io.lines(args[1]) do
        local path, content_type, encoding = line:match("^([^\t]+)\t([^\t]+)\t?(.*)$")
        local file = assert(io.open(path, "rb"))
        local headers = { ["Content-Type"] = content_type }
        if encoding ~= "" then
            headers["Content-Encoding"] = encoding
        end
        requests[#requests + 1] = wrk.format("POST", wrk.path, headers, file:read("*a"))
        file:close()
    end
    next_report = math.random(#requests)
end

function request()
    next_report = next_report % #requests + 1
    return requests[next_report]
end
