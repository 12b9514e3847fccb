import Foundation

/// A forward proxy on 127.0.0.1 for proxy tests, run by python3: absolute-form `GET http://...` is forwarded
/// (one request per connection), `CONNECT host:port` opens a tunnel. It logs every request it receives, method,
/// target and whether its `Proxy-Authorization` matched, to a file the test reads with ``log()``.
///
/// With `credentials` (`user:password`), requests without matching Basic credentials get 407.
public final class ForwardProxy: Sendable {
    /// One request the proxy received.
    public struct Entry: Sendable, Equatable, Decodable {
        /// `GET` or `CONNECT`.
        public var method: String
        /// `http://host:port/path` for a GET, `host:port` for a CONNECT.
        public var target: String
        /// Whether the credentials matched (always true when none are required).
        public var authorized: Bool

        /// Creates an entry.
        public init(method: String, target: String, authorized: Bool) {
            self.method = method
            self.target = target
            self.authorized = authorized
        }
    }

    private let server: HelperProcess
    private let logURL: URL

    /// Whether `python3` can be run here.
    public static var isAvailable: Bool { HelperProcess.which("python3") != nil }

    /// Starts the proxy; `credentials` (`user:password`) makes it require them.
    public init(credentials: String? = nil) throws {
        let directory = FileManager.default.temporaryDirectory
        logURL = directory.appendingPathComponent("trawl-proxy-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        server = try HelperProcess(
            ["python3", "-c", Self.script, logURL.path] + (credentials.map { [$0] } ?? []), directory: directory)
    }

    deinit {
        shutdown()
    }

    /// The proxy's port on 127.0.0.1.
    public var port: Int { server.ports["proxy"] ?? 0 }

    /// `http://[credentials@]127.0.0.1:<port>`.
    public func url(credentials: String? = nil) -> String {
        "http://\(credentials.map { "\($0)@" } ?? "")127.0.0.1:\(port)"
    }

    /// Every request received so far, in order.
    public func log() -> [Entry] {
        guard let text = try? String(contentsOf: logURL, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
    }

    /// Stops the proxy and removes its log. Idempotent.
    public func shutdown() {
        server.stop()
        try? FileManager.default.removeItem(at: logURL)
    }

    static let script = #"""
        import base64, json, select, socket, sys, threading
        from socketserver import ThreadingTCPServer, StreamRequestHandler
        log_path, auth = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")
        lock = threading.Lock()
        def log(entry):
            with lock, open(log_path, "a") as f: f.write(json.dumps(entry) + "\n")
        class Proxy(StreamRequestHandler):
            def handle(self):
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = self.request.recv(65536)
                    if not chunk: return
                    head += chunk
                head, rest = head.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                fields = [l.split(":", 1) for l in lines[1:] if ":" in l]
                credentials = next((v.strip() for k, v in fields if k.lower() == "proxy-authorization"), None)
                authorized = not auth or credentials == "Basic " + base64.b64encode(auth.encode()).decode()
                log({"method": method, "target": target, "authorized": authorized})
                if not authorized:
                    self.request.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"t\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"); return
                if method == "CONNECT":
                    host, port = target.rsplit(":", 1)
                    try: upstream = socket.create_connection((host, int(port)), timeout=10)
                    except OSError:
                        self.request.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"); return
                    self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    if rest: upstream.sendall(rest)
                    pair = {self.request: upstream, upstream: self.request}
                    while True:
                        ready, _, _ = select.select(list(pair), [], [], 30)
                        if not ready: break
                        for s in ready:
                            data = s.recv(65536)
                            if not data: upstream.close(); return
                            pair[s].sendall(data)
                if not target.startswith("http://"):
                    self.request.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"); return
                authority, _, path = target[7:].partition("/")
                host, _, port = authority.rpartition(":") if ":" in authority else (authority, "", "80")
                kept = [f"{k}:{v}" for k, v in fields if k.strip().lower() not in ("proxy-authorization", "proxy-connection", "connection")]
                request = "\r\n".join([f"{method} /{path} HTTP/1.1"] + kept + ["Connection: close", "", ""]).encode("latin-1")
                try: upstream = socket.create_connection((host, int(port)), timeout=10)
                except OSError:
                    self.request.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"); return
                upstream.sendall(request + rest)
                answer = b""
                while True:
                    data = upstream.recv(65536)
                    if not data: break
                    answer += data
                upstream.close()
                answer_head, _, body = answer.partition(b"\r\n\r\n")
                head_lines = [l for l in answer_head.split(b"\r\n") if not l.lower().startswith(b"connection:")]
                self.request.sendall(b"\r\n".join(head_lines + [b"Connection: close", b"", b""]) + body)
        class Server(ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True
            def handle_error(self, request, client_address): pass
        server = Server(("127.0.0.1", 0), Proxy)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(json.dumps({"proxy": server.server_address[1]}), flush=True)
        sys.stdin.read()
        """#
}
