/// Chooses and runs the scripted behaviour for a request path. The paths are listed on `TestSite`.
enum Routes {
    static func respond(to exchange: Exchange) -> ConnectionAction {
        let segments = exchange.segments
        switch segments.first ?? "" {
        case "" where segments.count <= 1: return exchange.page()
        case "page": return exchange.page()
        case "status": return status(exchange)
        case "seq": return sequence(exchange)
        case "retry-after": return retryAfter(exchange)
        case "ready": return ready(exchange)
        case "limited": return limited(exchange)
        case "reset": return .reset
        case "reset-mid-body": return resetMidBody(exchange)
        case "empty-reply": return .close
        case "stale-keep-alive": return staleKeepAlive(exchange)
        case "hang": return hang(exchange)
        case "slow": return slow(exchange)
        case "drip": return drip(exchange)
        case "short-body": return shortBody(exchange)
        case "malformed": return malformed(exchange)
        case "half-head": return halfHead(exchange)
        case "bad-chunked": return badChunked(exchange)
        case "trailers": return trailers(exchange)
        case "folded-header": return foldedHeader(exchange)
        case "bad-length": return badLength(exchange)
        case "informational": return informational(exchange)
        case "big": return big(exchange)
        case "chunked": return chunked(exchange)
        case "endless": return endless(exchange)
        case "gzip": return gzip(exchange)
        case "encoded": return encoded(exchange)
        case "redirect": return redirect(exchange)
        case "redirect-loop": return redirectLoop(exchange)
        case "redirect-to": return redirectTo(exchange)
        case "echo-headers": return echoHeaders(exchange)
        case "json": return json(exchange)
        case "content-type": return contentType(exchange)
        case "headers-size": return headersSize(exchange)
        default: return exchange.statusText(404)
        }
    }

    /// `/status/<code>`: that status with a short text body.
    private static func status(_ exchange: Exchange) -> ConnectionAction {
        guard exchange.segments.count >= 2, let code = Int(exchange.segments[1]), (200...599).contains(code) else {
            return exchange.badRequest("use /status/<200...599>")
        }
        return exchange.statusText(code)
    }

    /// `/redirect/<n>`: 302 to `/redirect/<n-1>` while n > 0, then a page.
    private static func redirect(_ exchange: Exchange) -> ConnectionAction {
        guard exchange.segments.count >= 2, let hops = Int(exchange.segments[1]), hops >= 0 else {
            return exchange.badRequest("use /redirect/<n>")
        }
        guard hops > 0 else { return exchange.page() }
        return redirect(exchange, status: 302, to: "/redirect/\(hops - 1)")
    }

    /// `/redirect-loop`: 302 to itself.
    private static func redirectLoop(_ exchange: Exchange) -> ConnectionAction {
        redirect(exchange, status: 302, to: "/redirect-loop")
    }

    /// `/redirect-to?to=<url>&status=302`: a redirect to any (percent-decoded) location.
    private static func redirectTo(_ exchange: Exchange) -> ConnectionAction {
        guard let location = exchange.query["to"] else { return exchange.badRequest("missing to=") }
        let status = exchange.query.int("status", default: 302, in: 300...399)
        return redirect(exchange, status: status, to: location)
    }

    private static func redirect(_ exchange: Exchange, status: Int, to location: String) -> ConnectionAction {
        exchange.respond(
            status: status, contentType: "text/plain; charset=utf-8",
            body: Array("\(status) \(HTTPStatus.reason(status))\n".utf8),
            headers: [("Location", Exchange.headerSafe(location))])
    }

    /// `/echo-headers`: the request headers as a JSON object, names lowercased, repeats joined with ", ".
    private static func echoHeaders(_ exchange: Exchange) -> ConnectionAction {
        var members: [(String, String)] = []
        var positions: [String: Int] = [:]
        for header in exchange.request.headers {
            let name = header.name.lowercased()
            if let position = positions[name] {
                members[position].1 += ", " + header.value
            } else {
                positions[name] = members.count
                members.append((name, header.value))
            }
        }
        return exchange.json(JSONString.object(members))
    }

    /// `/json?body=<percent-encoded JSON>`: that body, `{}` when absent.
    private static func json(_ exchange: Exchange) -> ConnectionAction {
        exchange.json(exchange.query["body"] ?? "{}")
    }

    /// `/content-type?type=<type>&size=2048`: a page with that Content-Type, none at all when `type` is absent.
    private static func contentType(_ exchange: Exchange) -> ConnectionAction {
        let size = exchange.query.int("size", default: 2048, in: 0...(64 << 20))
        return exchange.respond(
            status: 200, contentType: exchange.query["type"].map(Exchange.headerSafe), body: PageBody.make(size: size))
    }

    /// `/headers-size?bytes=65536`: a page whose header block carries an `X-Filler` header with a value of `bytes`.
    private static func headersSize(_ exchange: Exchange) -> ConnectionAction {
        let bytes = exchange.query.int("bytes", default: 65_536, in: 0...(64 << 20))
        return exchange.page(size: 2048, headers: [("X-Filler", String(repeating: "a", count: bytes))])
    }
}
