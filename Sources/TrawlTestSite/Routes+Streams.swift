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

    /// `/encoded?coding=gzip&size=2048&members=1&cut=0&framing=length`: a page of `size` bytes (`PageBody`) in a
    /// content coding, so a client's decoding can be checked byte for byte: `gzip`, `deflate` (a zlib stream),
    /// `deflate-raw` (a bare deflate stream under the `deflate` label, as some servers send it), `br` or `zstd` (all in
    /// uncompressed blocks), or any other label sent as `Content-Encoding` over the page unencoded; `label` sends
    /// another `Content-Encoding` value over the same body (`coding=identity&label=gzip`: a page that claims to be
    /// gzip). `members` gzip members (or whole streams, or zstd frames) one after another; `cut` drops the last bytes
    /// of the encoded body while the framing stays complete: `length` (a `Content-Length` of what is sent), `chunked`
    /// (a proper last chunk) or `close` (no length; the connection closes after the body). `status` answers with
    /// another status (200 to 599).
    static func encoded(_ exchange: Exchange) -> ConnectionAction {
        let page = PageBody.make(size: exchange.query.int("size", default: 2048, in: 0...(16 << 20)))
        let coding = exchange.query["coding"] ?? "gzip"
        let member: [UInt8]
        switch coding {
        case "gzip": member = StoredDeflate.gzip(page)
        case "deflate": member = StoredDeflate.zlib(page)
        case "deflate-raw": member = StoredDeflate.raw(page)
        case "br": member = StoredBrotli.make(page)
        case "zstd": member = RawZstd.make(page)
        default: member = page
        }
        var body: [UInt8] = []
        for _ in 0..<exchange.query.int("members", default: 1, in: 1...16) { body += member }
        body.removeLast(min(body.count, exchange.query.int("cut", default: 0)))
        let headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", exchange.query["label"] ?? (coding == "deflate-raw" ? "deflate" : coding)),
        ]
        let status = exchange.query.int("status", default: 200, in: 200...599)
        exchange.connection.endRequest()
        switch exchange.query["framing"] ?? "length" {
        case "chunked":
            guard
                exchange.sendHead(
                    status: status, headers: headers + [("Transfer-Encoding", "chunked")], contentLength: nil)
            else { return .close }
            var frame = body.isEmpty ? [] : Array("\(String(body.count, radix: 16))\r\n".utf8) + body + [13, 10]
            frame += Array("0\r\n\r\n".utf8)
            return exchange.connection.send(frame) ? exchange.finished : .close
        case "close":
            guard exchange.sendHead(status: status, headers: headers, contentLength: nil, closing: true) else {
                return .close
            }
            _ = exchange.connection.send(body)
            return .close
        default:
            return exchange.respond(status: status, contentType: nil, body: body, headers: headers)
        }
    }
}
