/// Routes that misbehave at the connection or framing level.
extension Routes {
    /// `/reset-mid-body?bytes=1000`: promises 100000 bytes, sends `bytes` of them, then resets the connection.
    static func resetMidBody(_ exchange: Exchange) -> ConnectionAction {
        let bytes = exchange.query.int("bytes", default: 1000, in: 0...99_999)
        let headers = [("Content-Type", "text/html; charset=utf-8")]
        guard exchange.sendHead(status: 200, headers: headers, contentLength: 100_000, closing: false) else {
            return .reset
        }
        _ = exchange.connection.send(PageBody.filler(offset: 0, count: bytes))
        return .reset
    }

    /// `/stale-keep-alive`: a page that promises `Connection: keep-alive`, then the connection closes at once, as
    /// when a server drops an idle keep-alive connection just as the client reuses it.
    static func staleKeepAlive(_ exchange: Exchange) -> ConnectionAction {
        let body = PageBody.make(size: exchange.query.int("size", default: 2048, in: 0...(64 << 20)))
        let headers = [("Content-Type", "text/html; charset=utf-8")]
        guard exchange.sendHead(status: 200, headers: headers, contentLength: body.count, closing: false) else {
            return .close
        }
        _ = exchange.connection.send(body)
        return .close
    }

    /// `/hang`: never answers; holds the connection until the client closes it or the site shuts down.
    static func hang(_ exchange: Exchange) -> ConnectionAction {
        while exchange.connection.waitForPeer() {}
        return .close
    }

    /// `/slow?delay=500&size=2048`: waits `delay` milliseconds before the head, then a page.
    static func slow(_ exchange: Exchange) -> ConnectionAction {
        let delay = exchange.query.int("delay", default: 500, in: 0...3_600_000)
        guard exchange.lifecycle.sleep(for: .milliseconds(delay)) else { return .close }
        return exchange.page()
    }

    /// `/drip?bytes=10&interval=100`: a 200 of `bytes` bytes sent one byte every `interval` milliseconds.
    static func drip(_ exchange: Exchange) -> ConnectionAction {
        let bytes = exchange.query.int("bytes", default: 10, in: 0...(1 << 30))
        let interval = exchange.query.int("interval", default: 100, in: 0...3_600_000)
        let headers = [("Content-Type", "text/plain; charset=utf-8")]
        guard exchange.sendHead(status: 200, headers: headers, contentLength: bytes) else { return .close }
        for _ in 0..<bytes {
            guard exchange.lifecycle.sleep(for: .milliseconds(interval)),
                exchange.connection.send([UInt8(ascii: "x")])
            else { return .close }
        }
        return exchange.finished
    }

    /// `/short-body?declared=1000&sent=10`: declares `declared` bytes, sends `sent`, then closes.
    static func shortBody(_ exchange: Exchange) -> ConnectionAction {
        let declared = exchange.query.int("declared", default: 1000, in: 0...(1 << 40))
        let sent = min(exchange.query.int("sent", default: 10, in: 0...(64 << 20)), declared)
        let headers = [("Content-Type", "text/plain; charset=utf-8")]
        guard exchange.sendHead(status: 200, headers: headers, contentLength: declared, closing: true) else {
            return .close
        }
        _ = exchange.connection.send(PageBody.filler(offset: 0, count: sent))
        return .close
    }

    /// `/malformed`: a status line without a numeric code and a header line without a colon, then close.
    static func malformed(_ exchange: Exchange) -> ConnectionAction {
        _ = exchange.connection.send("HTTP/1.1 abc\r\ngarbage\r\n\r\n")
        return .close
    }

    /// `/half-head?whole-lines=1`: a status line and part of a header block, then close: cut inside a field
    /// line, or with `whole-lines=1` after whole lines but before the blank line that ends the block.
    static func halfHead(_ exchange: Exchange) -> ConnectionAction {
        let wholeLines = exchange.query.int("whole-lines", default: 0, in: 0...1) == 1
        _ = exchange.connection.send(
            wholeLines ? "HTTP/1.1 200 OK\r\nServer: half\r\n" : "HTTP/1.1 200 OK\r\nContent-Le")
        return .close
    }

    /// `/bad-chunked`: a chunked body with one good chunk, then a chunk-size line that is not hexadecimal, then close.
    static func badChunked(_ exchange: Exchange) -> ConnectionAction {
        let headers = [("Content-Type", "text/plain; charset=utf-8"), ("Transfer-Encoding", "chunked")]
        guard exchange.sendHead(status: 200, headers: headers, contentLength: nil, closing: true) else {
            return .close
        }
        _ = exchange.connection.send("5\r\nhello\r\nzz-not-hex\r\nbroken\r\n")
        return .close
    }

    /// `/trailers?status=200&status-line=0`: a chunked answer of `status` whose trailer section, after the body,
    /// carries `Location: /page/from-trailer`, `Retry-After: 7` and `X-Trailer: yes`; its header section has none
    /// of them. With `status-line=1` the trailer section starts with a field line `HTTP/1.1 302 Found: x`.
    static func trailers(_ exchange: Exchange) -> ConnectionAction {
        let status = exchange.query.int("status", default: 200, in: 200...599)
        let statusLine =
            exchange.query.int("status-line", default: 0, in: 0...1) == 1 ? "HTTP/1.1 302 Found: x\r\n" : ""
        let headers = [("Content-Type", "text/plain; charset=utf-8"), ("Transfer-Encoding", "chunked")]
        guard exchange.sendHead(status: status, headers: headers, contentLength: nil, closing: true) else {
            return .close
        }
        _ = exchange.connection.send(
            "5\r\nhello\r\n0\r\n\(statusLine)Location: /page/from-trailer\r\nRetry-After: 7\r\nX-Trailer: yes\r\n\r\n")
        return .close
    }

    /// `/folded-header`: a page whose `Content-Type` is folded over two lines (obsolete line folding, RFC 9112
    /// section 5.2): `text/plain;` then ` charset=utf-8` on a line of its own.
    static func foldedHeader(_ exchange: Exchange) -> ConnectionAction {
        let body = Array("folded\n".utf8)
        let headers = [("Content-Type", "text/plain;\r\n charset=utf-8"), ("X-Folded", "one\r\n\t two")]
        guard exchange.sendHead(status: 200, headers: headers, contentLength: body.count) else { return .close }
        guard exchange.connection.send(body) else { return .close }
        return exchange.finished
    }

    /// `/bad-length?length=3&also=<text>&sent=3`: a 200 whose `Content-Length` field is `length` verbatim (with a
    /// second one of `also` when given), then `sent` body bytes, then close.
    static func badLength(_ exchange: Exchange) -> ConnectionAction {
        let sent = exchange.query.int("sent", default: 3, in: 0...(1 << 20))
        var headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", Exchange.headerSafe(exchange.query["length"] ?? "3")),
        ]
        if let also = exchange.query["also"] { headers.append(("Content-Length", Exchange.headerSafe(also))) }
        guard exchange.sendHead(status: 200, headers: headers, contentLength: nil, closing: true) else {
            return .close
        }
        _ = exchange.connection.send(PageBody.filler(offset: 0, count: sent))
        return .close
    }

    /// `/informational?lower=0`: a `103 Early Hints` with a `Link` field, then a page whose status line is
    /// `HTTP/1.1 200 OK`, or with `lower=1` `http/1.1 200 OK` (which libcurl takes too).
    static func informational(_ exchange: Exchange) -> ConnectionAction {
        let lower = exchange.query.int("lower", default: 0, in: 0...1) == 1
        let body = "final\n"
        _ = exchange.connection.send(
            "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                + "\(lower ? "http" : "HTTP")/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        return .close
    }
}
