import Foundation

/// Routes whose answer depends on how many requests came before: sequences, Retry-After scripts, polling, limiting.
extension Routes {
    /// `/seq/<key>/<c1>,<c2>,...?retry-after=S`: the n-th request to the path gets the n-th code, the last repeats.
    /// 2xx codes answer a page; others a short text body, with `Retry-After: S` when asked for.
    static func sequence(_ exchange: Exchange) -> ConnectionAction {
        guard exchange.segments.count >= 3 else { return exchange.badRequest("use /seq/<key>/<c1>,<c2>,...") }
        let codes = exchange.segments[2].split(separator: ",").map { Int($0) }
        guard !codes.isEmpty, let codes = codes as? [Int], codes.allSatisfy({ (200...599).contains($0) }) else {
            return exchange.badRequest("codes must be 200...599 separated by commas")
        }
        let count = exchange.statistics.bump(exchange.request.path)
        let code = codes[min(count, codes.count) - 1]
        if (200..<300).contains(code) { return exchange.page(status: code) }
        let headers = exchange.query["retry-after"].map { [("Retry-After", Exchange.headerSafe($0))] } ?? []
        return exchange.statusText(code, headers: headers)
    }

    /// `/retry-after/<key>?times=1&status=429&after=1&form=seconds`: the first `times` requests get `status` with a
    /// `Retry-After` header, later ones a page.
    ///
    /// Forms: `seconds` (the `after` text verbatim, so fractions, negatives and huge values pass through), `date`
    /// (IMF-fixdate), `rfc850`, `asctime` (all at now + `after` rounded up to a whole second, so a client never waits
    /// less than `after`), `garbage` (`soon-ish`), `past` (an IMF-fixdate an hour ago). With `also=<text>`, a second
    /// `Retry-After` field follows with that text.
    static func retryAfter(_ exchange: Exchange) -> ConnectionAction {
        let times = exchange.query.int("times", default: 1)
        let count = exchange.statistics.bump(exchange.request.path)
        guard count <= times else { return exchange.page() }
        let status = exchange.query.int("status", default: 429, in: 200...599)
        let afterText = exchange.query["after"] ?? "1"
        let after = min(max(exchange.query.double("after", default: 1), -1e9), 1e9)
        let now = Date().timeIntervalSince1970
        let value: String
        switch exchange.query["form"] ?? "seconds" {
        case "date": value = HTTPDate.imfFixdate(Int64((now + after).rounded(.up)))
        case "rfc850": value = HTTPDate.rfc850(Int64((now + after).rounded(.up)))
        case "asctime": value = HTTPDate.asctime(Int64((now + after).rounded(.up)))
        case "garbage": value = "soon-ish"
        case "past": value = HTTPDate.imfFixdate(Int64(now) - 3600)
        default: value = Exchange.headerSafe(afterText)
        }
        var headers = [("Retry-After", value)]
        if let also = exchange.query["also"] { headers.append(("Retry-After", Exchange.headerSafe(also))) }
        return exchange.statusText(status, headers: headers)
    }

    /// `/ready/<key>?after=1`: the first `after` requests get `{"status":"pending"}`, later ones a ready document.
    static func ready(_ exchange: Exchange) -> ConnectionAction {
        let after = exchange.query.int("after", default: 1)
        let count = exchange.statistics.bump(exchange.request.path)
        if count <= after { return exchange.json(#"{"status":"pending"}"#) }
        return exchange.json(#"{"status":"ready","data":{"items":[{"state":"ready"}]}}"#)
    }

    /// `/limited/<any>?rate=5`: a token bucket per host (capacity `rate`, refilled at `rate` per second); an empty
    /// bucket answers 429 with `Retry-After: 1`.
    static func limited(_ exchange: Exchange) -> ConnectionAction {
        let rate = min(max(exchange.query.double("rate", default: 5), 0.001), 1e9)
        let allowed = exchange.statistics.takeToken(host: exchange.request.host, rate: rate, now: .now)
        return allowed ? exchange.page() : exchange.statusText(429, headers: [("Retry-After", "1")])
    }
}
