/// Routes with large, endless or compressed bodies, streamed in fixed-size pieces.
extension Routes {
    /// One 64 KiB-ish piece of the filler stream; its length is a whole number of filler lines, so pieces join up.
    private static let piece = PageBody.filler(offset: 0, count: 1024 * 64)

    /// `/big?bytes=1048576`: a 200 with `bytes` bytes, streamed; stops quietly when the client goes away.
    static func big(_ exchange: Exchange) -> ConnectionAction {
        let bytes = exchange.query.int("bytes", default: 1 << 20)
        let headers = [("Content-Type", "application/octet-stream")]
        guard exchange.sendHead(status: 200, headers: headers, contentLength: bytes) else { return .close }
        var remaining = bytes
        while remaining > 0 {
            let count = min(remaining, piece.count)
            let sent =
                count == piece.count
                ? exchange.connection.send(piece)
                : exchange.connection.send(Array(piece[..<count]))
            guard sent, !exchange.lifecycle.isStopped else { return .close }
            remaining -= count
        }
        return exchange.finished
    }

    /// `/chunked?bytes=1048576`: like `/big`, framed with `Transfer-Encoding: chunked`.
    static func chunked(_ exchange: Exchange) -> ConnectionAction {
        streamChunked(exchange, total: exchange.query.int("bytes", default: 1 << 20))
    }

    /// `/endless`: a chunked body that never ends; stops when the client goes away or the site shuts down.
    static func endless(_ exchange: Exchange) -> ConnectionAction {
        streamChunked(exchange, total: nil)
    }

    private static func streamChunked(_ exchange: Exchange, total: Int?) -> ConnectionAction {
        let headers = [("Content-Type", "application/octet-stream"), ("Transfer-Encoding", "chunked")]
        guard exchange.sendHead(status: 200, headers: headers, contentLength: nil) else { return .close }
        var remaining = total ?? Int.max
        while remaining > 0 {
            let count = min(remaining, piece.count)
            var frame = Array("\(String(count, radix: 16))\r\n".utf8)
            frame.append(contentsOf: piece[..<count])
            frame.append(contentsOf: [13, 10])
            guard exchange.connection.send(frame), !exchange.lifecycle.isStopped else { return .close }
            if total != nil { remaining -= count }
        }
        return exchange.connection.send("0\r\n\r\n") ? exchange.finished : .close
    }

    /// `/gzip?bytes=1048576`: `Content-Encoding: gzip` whose body inflates to `bytes` zero bytes, about 1000 times
    /// smaller on the wire (at most 16 GiB inflated, about 16 MB sent).
    static func gzip(_ exchange: Exchange) -> ConnectionAction {
        let bytes = exchange.query.int("bytes", default: 1 << 20, in: 0...(1 << 34))
        return exchange.respond(
            status: 200, contentType: "text/html; charset=utf-8", body: GzipBomb.make(size: UInt64(bytes)),
            headers: [("Content-Encoding", "gzip")])
    }
}
