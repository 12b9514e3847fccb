import Foundation

/// An HTTPS site on loopback for TLS tests, served by Python's `ssl` module (not our code) with certificates the
/// `openssl` command makes at start-up in a temporary directory: nothing secret is kept in the repository.
///
/// One listener per ``Certificate`` on 127.0.0.1, each on its own free port, and one plain-HTTP listener. Every path answers 200 with
/// `tls ok <path>`, except `/to/<url>`, which answers 302 to `<url>`. Needs `python3` and `openssl` on the `PATH`
/// (see ``isAvailable``).
public final class TLSTestSite: Sendable {
    /// The certificates the site serves, one listener each.
    public enum Certificate: String, Sendable, CaseIterable {
        /// Issued by the test CA (``caPath``) for 127.0.0.1 and localhost.
        case valid
        /// Issued by the test CA, valid in January 2020 only.
        case expired
        /// Issued by the test CA for `elsewhere.test` and 10.9.9.9.
        case wrongHost = "wronghost"
        /// Self-signed, for 127.0.0.1.
        case selfSigned = "self"
        /// Issued by a second CA, ``otherCAPath``, found only in ``otherCADirectory``.
        case otherCA = "other"
    }

    /// The temporary directory with the certificates, removed by ``shutdown()``.
    public let directory: URL
    private let server: HelperProcess
    private let ports: [String: Int]

    /// Whether `python3` and `openssl` can be run here.
    public static var isAvailable: Bool {
        HelperProcess.which("python3") != nil && HelperProcess.which("openssl") != nil
    }

    /// Makes the certificates and starts the server.
    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("trawl-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try HelperProcess.runToEnd("/bin/sh", ["-c", Self.certificateScript], directory: directory)
        let listeners =
            Certificate.allCases.map { "\($0.rawValue),127.0.0.1,\($0.rawValue).pem,\($0.rawValue).key" }
            + ["plain,127.0.0.1,-,-"]
        server = try HelperProcess(["python3", "-c", Self.serverScript] + listeners, directory: directory)
        ports = server.ports
    }

    deinit {
        shutdown()
    }

    /// The PEM file of the test CA that issued `valid`, `expired` and `wrongHost`.
    public var caPath: String { directory.appendingPathComponent("ca.pem").path }
    /// The PEM file of the second CA, which issued `otherCA`.
    public var otherCAPath: String { directory.appendingPathComponent("otherca.pem").path }
    /// A hashed CA directory (as `/etc/ssl/certs` is) holding only the second CA: a stand-in for the system store.
    public var otherCADirectory: String { directory.appendingPathComponent("sysca").path }

    /// The port serving `certificate`.
    public func port(_ certificate: Certificate) -> Int { ports[certificate.rawValue] ?? 0 }

    /// `https://<host>:<port>/<path>` for the listener with `certificate`.
    public func url(_ certificate: Certificate, _ path: String = "/", host: String = "127.0.0.1") -> String {
        "https://\(host):\(port(certificate))\(path.hasPrefix("/") ? path : "/" + path)"
    }

    /// `http://127.0.0.1:<port>/<path>` on a plain-HTTP listener of the same server (for handshake failures:
    /// it answers a TLS ClientHello with an HTTP 400).
    public func plainURL(_ path: String = "/") -> String {
        "http://127.0.0.1:\(ports["plain"] ?? 0)\(path.hasPrefix("/") ? path : "/" + path)"
    }

    /// Stops the server and removes the certificates. Idempotent.
    public func shutdown() {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static let certificateScript = #"""
        set -e
        key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }
        ca() { # name subject
          key $1.key
          openssl req -x509 -new -key $1.key -out $1.pem -days 3 -subj "/CN=$2" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
        }
        leaf() { # name ca san
          key $1.key
          openssl req -new -key $1.key -out $1.csr -subj "/CN=trawl test $1"
          printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$3" > $1.ext
          openssl x509 -req -in $1.csr -CA $2.pem -CAkey $2.key -CAcreateserial -out $1.pem -days 2 -extfile $1.ext 2>/dev/null
        }
        ca ca "trawl test CA"
        ca otherca "trawl other test CA"
        leaf valid ca "IP:127.0.0.1,DNS:localhost"
        leaf wronghost ca "DNS:elsewhere.test,IP:10.9.9.9"
        leaf other otherca "IP:127.0.0.1"
        key self.key
        openssl req -x509 -new -key self.key -out self.pem -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1"
        mkdir -p cadb sysca; : > cadb/index.txt; echo 1000 > cadb/serial
        cat > ca.cnf <<'CNF'
        [ca]
        default_ca = test
        [test]
        database = cadb/index.txt
        serial = cadb/serial
        new_certs_dir = cadb
        certificate = ca.pem
        private_key = ca.key
        default_md = sha256
        policy = anything
        copy_extensions = copy
        unique_subject = no
        [anything]
        commonName = supplied
        CNF
        key expired.key
        openssl req -new -key expired.key -out expired.csr -subj "/CN=trawl test expired" -addext "subjectAltName=IP:127.0.0.1"
        openssl ca -batch -config ca.cnf -in expired.csr -out expired.pem -startdate 20200101000000Z -enddate 20200201000000Z -notext 2>/dev/null
        cp otherca.pem sysca/ && openssl rehash sysca
        """#

    static let serverScript = #"""
        import json, ssl, sys, threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                if self.path.startswith("/to/"):
                    self.send_response(302); self.send_header("Location", self.path[4:]); self.send_header("Content-Length", "0"); self.end_headers(); return
                body = ("tls ok " + self.path).encode()
                self.send_response(200); self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
            def log_message(self, *args): pass
        class Server(ThreadingHTTPServer):
            daemon_threads = True
            def handle_error(self, request, client_address): pass
        ports = {}
        for spec in sys.argv[1:]:
            name, host, cert, key = spec.split(",")
            server = Server((host, 0), Handler)
            if cert != "-":
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(cert, key)
                server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
            ports[name] = server.server_address[1]
            threading.Thread(target=server.serve_forever, daemon=True).start()
        print(json.dumps(ports), flush=True)
        sys.stdin.read()
        """#
}

/// A helper program (python3) that prints one JSON object of ports on its first line and runs until its
/// standard input closes, so it dies with the test process even when the test crashes.
final class HelperProcess: Sendable {
    private let process: ChildProcess
    private let input: FileHandle
    let ports: [String: Int]

    init(_ arguments: [String], directory: URL) throws {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(10) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Int], !object.isEmpty else {
            process.terminate()
            throw TestSiteError(.socket, "\(arguments[0]) did not start: \(String(decoding: line, as: UTF8.self))")
        }
        self.process = process
        self.input = input.fileHandleForWriting
        ports = object
    }

    func stop() {
        try? input.close()
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Runs a command to the end; throws when it fails.
    static func runToEnd(_ executable: String, _ arguments: [String], directory: URL) throws {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSiteError(.socket, "\(executable) failed: \(String(decoding: text, as: UTF8.self))")
        }
    }

    /// The path of `command` on the `PATH`, or nil.
    static func which(_ command: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
