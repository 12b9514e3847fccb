/// One request and the means to answer it: the helpers every route uses to write responses.
struct Exchange {
    let connection: Connection
    let request: LoggedRequest
    let query: QueryParameters
    /// The path's segments after the leading slash: `/seq/a/1,2` gives `["seq", "a", "1,2"]`.
    let segments: [Substring]
    /// Whether the connection stays open after a complete answer.
    let keepAlive: Bool

    init(connection: Connection, request: LoggedRequest, keepAlive: Bool) {
        self.connection = connection
        self.request = request
        query = QueryParameters(request.query)
        segments = Array(request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst())
        self.keepAlive = keepAlive && query["connection"] != "close"
    }

    var server: SiteServer { connection.server }
    var statistics: Statistics { connection.server.statistics }
    var lifecycle: Lifecycle { connection.server.lifecycle }

    /// The action after a complete answer: keep-alive unless the client or the query asked to close.
    var finished: ConnectionAction { keepAlive ? .keepAlive : .close }

    /// Sends a status line and headers. `Content-Length` is added when `contentLength` is given, and
    /// `Connection: keep-alive` or `close` always.
    func sendHead(
        status: Int, reason: String? = nil, headers: [(String, String)] = [], contentLength: Int?, closing: Bool? = nil
    ) -> Bool {
        var text = "HTTP/1.1 \(status) \(reason ?? HTTPStatus.reason(status))\r\nServer: trawl-test-site\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let contentLength { text += "Content-Length: \(contentLength)\r\n" }
        text += (closing ?? !keepAlive) ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n"
        return connection.send(text)
    }

    /// Sends a complete response with a body (left out for HEAD requests and bodiless statuses).
    func respond(status: Int, contentType: String?, body: [UInt8], headers: [(String, String)] = []) -> ConnectionAction
    {
        var allHeaders = headers
        if let contentType { allHeaders.insert(("Content-Type", contentType), at: 0) }
        connection.endRequest()
        if HTTPStatus.forbidsBody(status) {
            return sendHead(status: status, headers: allHeaders, contentLength: nil) ? finished : .close
        }
        guard sendHead(status: status, headers: allHeaders, contentLength: body.count) else { return .close }
        if request.method != "HEAD" && !body.isEmpty {
            guard connection.send(body) else { return .close }
        }
        return finished
    }

    /// A deterministic HTML page of `size` bytes.
    func page(status: Int = 200, size: Int, headers: [(String, String)] = []) -> ConnectionAction {
        respond(
            status: status, contentType: "text/html; charset=utf-8", body: PageBody.make(size: size), headers: headers)
    }

    /// A page sized by the `size` query parameter (default 2048 bytes, at most 64 MiB).
    func page(status: Int = 200, headers: [(String, String)] = []) -> ConnectionAction {
        page(status: status, size: query.int("size", default: 2048, in: 0...(64 << 20)), headers: headers)
    }

    /// A short plain-text body naming the status, e.g. `404 Not Found`.
    func statusText(_ status: Int, headers: [(String, String)] = []) -> ConnectionAction {
        let body = Array("\(status) \(HTTPStatus.reason(status))\n".utf8)
        return respond(status: status, contentType: "text/plain; charset=utf-8", body: body, headers: headers)
    }

    /// A 200 JSON answer.
    func json(_ text: String, status: Int = 200) -> ConnectionAction {
        respond(status: status, contentType: "application/json", body: Array(text.utf8))
    }

    /// A 400 answer explaining what is wrong with the request.
    func badRequest(_ why: String) -> ConnectionAction {
        respond(status: 400, contentType: "text/plain; charset=utf-8", body: Array("400 Bad Request: \(why)\n".utf8))
    }

    /// Removes CR and LF so a query-controlled value cannot break the header block.
    static func headerSafe(_ value: String) -> String {
        String(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }.map(Character.init))
    }
}
