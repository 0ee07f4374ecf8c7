-- wrk script: counts the responses by status and their body bytes. wrk's own summary counts
-- only the answers outside 2xx and 3xx, and would take a redirect for a page.
-- Prints "statuses: 200=N ..." and "body_bytes: N" at the end.
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    statuses = {}
    body_bytes = 0
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    body_bytes = body_bytes + #body
end

function done(summary, latency, requests)
    local total, bytes = {}, 0
    for _, thread in ipairs(threads) do
        for status, n in pairs(thread:get("statuses")) do
            total[status] = (total[status] or 0) + n
        end
        bytes = bytes + thread:get("body_bytes")
    end
    local parts = {}
    for status, n in pairs(total) do
        table.insert(parts, status .. "=" .. n)
    end
    table.sort(parts)
    io.write("statuses: " .. table.concat(parts, " ") .. "\n")
    io.write(string.format("body_bytes: %d\n", bytes))
end
