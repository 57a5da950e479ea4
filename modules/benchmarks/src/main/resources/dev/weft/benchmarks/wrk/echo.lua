-- POST /echo with a 4 KiB body; wrk.format adds the Content-Length header.
wrk.method = "POST"
wrk.path = "/echo"
wrk.body = string.rep("0123456789abcdef", 256)
wrk.headers["Content-Type"] = "application/octet-stream"
