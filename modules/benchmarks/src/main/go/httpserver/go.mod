module weft.dev/benchmarks/httpserver

go 1.19
