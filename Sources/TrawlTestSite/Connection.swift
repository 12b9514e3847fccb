/// One accepted connection, served on its own thread with blocking I/O: reads request heads, hands each to `Routes`,
/// and keeps going while the answers allow keep-alive.
final class Connection {
    /// The largest request head the site reads; bigger heads get 431.
    static let maxHeadSize = 64 * 1024

    let fd: Int32
    let host: String
    let id: Int
    let server: SiteServer
    private var pending: [UInt8] = []
    /// Whether the current request still counts as in flight.
    private var requestOpen = false
    private var scratch = [UInt8](repeating: 0, count: 16 * 1024)

    init(fd: Int32, host: String, id: Int, server: SiteServer) {
        self.fd = fd
        self.host = host
        self.id = id
        self.server = server
    }

    /// Serves requests until the connection ends, then closes it.
    func run() {
        var action = ConnectionAction.keepAlive
        while action == .keepAlive && !server.lifecycle.isStopped {
            action = serveOne()
        }
        server.lifecycle.close(fd, reset: action == .reset)
    }

    private func serveOne() -> ConnectionAction {
        guard let headBytes = readHead() else { return .close }
        guard headBytes.count <= Self.maxHeadSize else { return sendErrorAndClose(431) }
        let head: HTTPRequestHead
        do {
            head = try HTTPRequestHead(parsing: headBytes)
        } catch {
            switch error {
            case .malformed: return sendErrorAndClose(400)
            case .unsupportedVersion: return sendErrorAndClose(505)
            case .unsupportedFraming: return sendErrorAndClose(501)
            }
        }
        let arrival = ContinuousClock.now
        guard discardBody(length: head.contentLength) else { return .close }
        let request = LoggedRequest(
            host: host, method: head.method, target: head.target, path: head.path, query: head.query,
            headers: head.headers, arrival: arrival, connectionID: id)
        server.statistics.begin(request)
        requestOpen = true
        defer { endRequest() }
        return Routes.respond(to: Exchange(connection: self, request: request, keepAlive: head.keepAlive))
    }

    /// Ends the current request's in-flight period, once. A complete answer ends it just before its bytes go
    /// out, as an application server's handler returns before the response is flushed: so a client that
    /// starts its next request the moment it reads the last byte is never seen overlapping this one.
    func endRequest() {
        guard requestOpen else { return }
        requestOpen = false
        server.statistics.finish(host: host)
    }

    /// Reads up to the blank line ending a head; returns the head without it, an oversized slice when the head
    /// passes the limit, or nil when the peer closed first.
    private func readHead() -> ArraySlice<UInt8>? {
        var scanned = 0
        while true {
            // Blank lines before a request line are allowed (RFC 9112 section 2.2).
            while let first = pending.first, first == UInt8(ascii: "\r") || first == UInt8(ascii: "\n") {
                pending.removeFirst()
                scanned = 0
            }
            if let end = headEnd(from: scanned) {
                let head = pending[..<end.headEnd]
                pending.removeFirst(end.consumed)
                return ArraySlice(head)
            }
            scanned = max(0, pending.count - 3)
            if pending.count > Self.maxHeadSize { return pending[...] }
            guard receiveMore() else { return nil }
        }
    }

    /// Finds the end of the head: a line feed followed by an empty line (CRLF or bare LF).
    private func headEnd(from start: Int) -> (headEnd: Int, consumed: Int)? {
        var index = start
        while index < pending.count {
            if pending[index] == UInt8(ascii: "\n") {
                if index + 1 < pending.count && pending[index + 1] == UInt8(ascii: "\n") {
                    return (index, index + 2)
                }
                if index + 2 < pending.count && pending[index + 1] == UInt8(ascii: "\r")
                    && pending[index + 2] == UInt8(ascii: "\n")
                {
                    return (index, index + 3)
                }
            }
            index += 1
        }
        return nil
    }

    private func receiveMore() -> Bool {
        let count = scratch.withUnsafeMutableBytes { Socket.receive(fd, into: $0) }
        guard let count else { return false }
        pending.append(contentsOf: scratch[..<count])
        return true
    }

    private func discardBody(length: Int) -> Bool {
        var remaining = length
        while remaining > 0 {
            if pending.isEmpty && !receiveMore() { return false }
            let take = min(remaining, pending.count)
            pending.removeFirst(take)
            remaining -= take
        }
        return true
    }

    /// Blocks until the peer sends something or goes away; false once it is gone (or the site stopped).
    func waitForPeer() -> Bool {
        scratch.withUnsafeMutableBytes { Socket.receive(fd, into: $0) } != nil
    }

    /// Sends every byte; false when the peer is gone.
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Socket.sendAll(fd, $0) }
    }

    /// Sends the UTF-8 bytes of `text`; false when the peer is gone.
    func send(_ text: String) -> Bool {
        send(Array(text.utf8))
    }

    private func sendErrorAndClose(_ status: Int) -> ConnectionAction {
        let body = "\(status) \(HTTPStatus.reason(status))\n"
        _ = send(
            "HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        return .close
    }
}
