// The Go reference peer of the Weft benchmarks: the standard library's net/http, nothing else
// (no module to download, so run.sh builds it offline). Usage: httpserver PORT [FILES_DIR].
//
// It answers what every HTTP peer in modules/benchmarks answers, byte for byte:
// GET /plaintext, GET /json, POST /echo, and with FILES_DIR its files under /files/NAME
// (http.FileServer, which sends a regular file with sendfile(2) on Linux).
// GOMAXPROCS follows the CPU affinity that taskset gives it, so pinned to one CPU it runs one P.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
)

var (
	plaintext = []byte("Hello, World!")
	jsonBody  = []byte(`{"message":"Hello, World!"}`)
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: httpserver PORT [FILES_DIR]")
		os.Exit(2)
	}
	port, err := strconv.Atoi(os.Args[1])
	if err != nil || port < 0 || port > 65535 {
		fmt.Fprintf(os.Stderr, "port must be 0..65535, got %q\n", os.Args[1])
		os.Exit(2)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/plaintext", func(w http.ResponseWriter, r *http.Request) {
		reply(w, r, http.MethodGet, "text/plain", plaintext)
	})
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		reply(w, r, http.MethodGet, "application/json", jsonBody)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "cannot read the body: "+err.Error(), http.StatusBadRequest)
			return
		}
		reply(w, r, http.MethodPost, "application/octet-stream", body)
	})
	if len(os.Args) > 2 {
		mux.Handle("/files/", http.StripPrefix("/files/", http.FileServer(http.Dir(os.Args[2]))))
	}
	// The idle-memory runs hold up to 100,000 keep-alive connections for minutes: no idle timeout,
	// as on every other peer (the zero values of http.Server mean none).
	listener, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("go net/http listening on port %d\n", listener.Addr().(*net.TCPAddr).Port)
	server := &http.Server{Handler: mux}
	if err := server.Serve(listener); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func reply(w http.ResponseWriter, r *http.Request, method, contentType string, body []byte) {
	if r.Method != method {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h["Content-Type"] = []string{contentType}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.Write(body)
}
