import Foundation
import TrawlTestSite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A response as read off the wire by `RawClient`.
struct RawResponse {
    var status: Int
    var statusLine: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

struct RawClientError: Error, CustomStringConvertible {
    var description: String
}

/// A deliberately plain blocking HTTP/1.1 client for judging the site byte by byte.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to `host:port` with a receive timeout so a broken test fails instead of hanging.
    init(host: String, port: Int, timeoutSeconds: Int = 5) throws {
        #if canImport(Darwin)
            fd = socket(AF_INET, SOCK_STREAM, 0)
        #else
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        #if canImport(Darwin)
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        _ = inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw RawClientError(description: "connect to \(host):\(port) failed: errno \(errno)")
        }
    }

    deinit { close(fd) }

    /// Sends raw bytes.
    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            #if canImport(Darwin)
                let flags: Int32 = 0
            #else
                let flags = Int32(MSG_NOSIGNAL)
            #endif
            let sent = bytes[offset...].withUnsafeBytes { systemSend(fd, $0.baseAddress, $0.count, flags) }
            guard sent > 0 else { throw RawClientError(description: "send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Sends a GET for `path` with `headers` (and `Connection: close` when `close`).
    func sendGet(_ path: String, headers: [String] = [], close: Bool = false) throws {
        var text = "GET \(path) HTTP/1.1\r\nHost: test\r\n"
        for header in headers { text += header + "\r\n" }
        if close { text += "Connection: close\r\n" }
        try send(text + "\r\n")
    }

    /// Reads more bytes into the buffer; false at end of stream. Throws on errors such as a reset or timeout.
    @discardableResult
    func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw RawClientError(description: "recv failed: errno \(errno)") }
        buffer.append(contentsOf: chunk[..<count])
        return count > 0
    }

    /// Reads everything until the server closes; throws on reset or timeout.
    func readToEnd() throws -> [UInt8] {
        while try fill() {}
        defer { buffer = [] }
        return buffer
    }

    /// Reads one response framed by Content-Length, chunked encoding or connection close.
    func readResponse(bodyLimit: Int = .max) throws -> RawResponse {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.find([13, 10, 13, 10], in: buffer)
            if headEnd == nil { guard try fill() else { throw RawClientError(description: "closed before head") } }
        }
        let headText = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        let lines = headText.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ", maxSplits: 2)
        var response = RawResponse(
            status: parts.count > 1 ? Int(parts[1]) ?? -1 : -1, statusLine: lines[0], headers: [], body: [])
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            response.headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        if response.header("Transfer-Encoding") == "chunked" {
            response.body = try readChunked(limit: bodyLimit)
        } else if let length = response.header("Content-Length").flatMap(Int.init) {
            let wanted = min(length, bodyLimit)
            while buffer.count < wanted {
                guard try fill() else { throw RawClientError(description: "closed after \(buffer.count) bytes") }
            }
            response.body = Array(buffer[..<wanted])
            buffer.removeFirst(wanted)
        } else if !(response.status == 204 || response.status == 304) {
            response.body = try readToEnd()
        }
        return response
    }

    private func readChunked(limit: Int) throws -> [UInt8] {
        var body: [UInt8] = []
        while body.count < limit {
            var lineEnd = Self.find([13, 10], in: buffer)
            while lineEnd == nil {
                guard try fill() else { throw RawClientError(description: "closed in chunk size") }
                lineEnd = Self.find([13, 10], in: buffer)
            }
            let sizeText = String(decoding: buffer[..<lineEnd!], as: UTF8.self)
            guard let size = Int(sizeText, radix: 16) else {
                throw RawClientError(description: "bad chunk size \(sizeText)")
            }
            buffer.removeFirst(lineEnd! + 2)
            while buffer.count < size + 2 {
                guard try fill() else { throw RawClientError(description: "closed in chunk") }
            }
            body.append(contentsOf: buffer[..<size])
            buffer.removeFirst(size + 2)
            if size == 0 { break }
        }
        return body
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
        }
        return nil
    }

    /// One GET on a fresh connection that asks the server to close afterwards.
    static func get(
        _ site: TestSite, _ path: String, host: String = "127.0.0.1", headers: [String] = []
    ) throws -> RawResponse {
        let client = try RawClient(host: host, port: site.port)
        try client.sendGet(path, headers: headers, close: true)
        return try client.readResponse()
    }
}

#if canImport(Darwin)
    private func systemSend(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
        Darwin.send(fd, pointer, count, flags)
    }
#else
    private func systemSend(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
        Glibc.send(fd, pointer, count, flags)
    }
#endif
