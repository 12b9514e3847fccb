import Foundation
import Testing
import TrawlTestSite

@Suite("TestSite routes", .timeLimit(.minutes(1)))
struct TestSiteRoutesTests {
    @Test func pagesHaveTheRequestedSizeAndAnHTMLContentType() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let page = try RawClient.get(site, "/page/a?size=12345")
        #expect(page.status == 200)
        #expect(page.body.count == 12345)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.header("Content-Length") == "12345")
        #expect(page.text.hasPrefix("<!doctype html>"))
        #expect(page.text.hasSuffix("</body></html>\n"))
        #expect(try RawClient.get(site, "/").body.count == 2048)
        #expect(try RawClient.get(site, "/page/tiny?size=7").body.count == 7)
        #expect(try RawClient.get(site, "/page/b?size=12345").body == page.body)
    }

    @Test func statusPathsAnswerTheirCodeAndUnknownPathsAnswer404() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let notFound = try RawClient.get(site, "/status/404")
        #expect(notFound.status == 404)
        #expect(notFound.text == "404 Not Found\n")
        #expect(try RawClient.get(site, "/status/503").statusLine == "HTTP/1.1 503 Service Unavailable")
        #expect(try RawClient.get(site, "/status/599").statusLine == "HTTP/1.1 599 Unknown")
        #expect(try RawClient.get(site, "/status/abc").status == 400)
        #expect(try RawClient.get(site, "/no/such/thing").status == 404)
    }

    @Test func aSequenceAnswersItsCodesInOrderAcrossHostsThenRepeatsTheLast() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let path = "/seq/a/503,429,200"
        var codes: [Int] = []
        for host in ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.1"] {
            codes.append(try RawClient.get(site, path, host: host).status)
        }
        #expect(codes == [503, 429, 200, 200])
        let withHint = try RawClient.get(site, "/seq/b/503,200?retry-after=2")
        #expect(withHint.status == 503)
        #expect(withHint.header("Retry-After") == "2")
        let success = try RawClient.get(site, "/seq/b/503,200?retry-after=2")
        #expect(success.status == 200)
        #expect(success.header("Retry-After") == nil)
    }

    @Test func retryAfterAnswersCarryTheHeaderInEachFormThenSucceed() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let seconds = try RawClient.get(site, "/retry-after/s?times=2&after=3")
        #expect(seconds.status == 429)
        #expect(seconds.header("Retry-After") == "3")
        #expect(try RawClient.get(site, "/retry-after/s?times=2&after=3").status == 429)
        #expect(try RawClient.get(site, "/retry-after/s?times=2&after=3").status == 200)

        let raw = try RawClient.get(site, "/retry-after/raw?after=9999999999&status=503")
        #expect(raw.status == 503)
        #expect(raw.header("Retry-After") == "9999999999")

        let before = Date().timeIntervalSince1970
        let date = try #require(try RawClient.get(site, "/retry-after/d?after=5&form=date").header("Retry-After"))
        let parsed = try #require(Self.parse(date, format: "EEE, dd MMM yyyy HH:mm:ss 'GMT'"))
        #expect(parsed >= before + 5 - 0.001 && parsed <= before + 7)

        let rfc850 = try #require(try RawClient.get(site, "/retry-after/r?form=rfc850").header("Retry-After"))
        #expect(Self.parse(rfc850, format: "EEEE, dd-MMM-yy HH:mm:ss 'GMT'") != nil)
        let asctime = try #require(try RawClient.get(site, "/retry-after/a?form=asctime").header("Retry-After"))
        #expect(Self.parse(asctime, format: "EEE MMM d HH:mm:ss yyyy") != nil)
        #expect(try RawClient.get(site, "/retry-after/g?form=garbage").header("Retry-After") == "soon-ish")
        let past = try #require(try RawClient.get(site, "/retry-after/p?form=past").header("Retry-After"))
        let pastDate = try #require(Self.parse(past, format: "EEE, dd MMM yyyy HH:mm:ss 'GMT'"))
        #expect(pastDate < Date().timeIntervalSince1970 - 3000)
    }

    private static func parse(_ text: String, format: String) -> Double? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = format
        // asctime pads the day with a space; the formatter wants single spaces.
        let squeezed = text.replacingOccurrences(of: "  ", with: " ")
        return formatter.date(from: squeezed)?.timeIntervalSince1970
    }

    @Test func redirectsCountDownFollowLoopsAndGoWhereTheyAreTold() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let first = try RawClient.get(site, "/redirect/3")
        #expect(first.status == 302)
        #expect(first.header("Location") == "/redirect/2")
        #expect(try RawClient.get(site, "/redirect/0").status == 200)
        #expect(try RawClient.get(site, "/redirect-loop").header("Location") == "/redirect-loop")
        let target = "http://127.0.0.2:\(site.port)/echo-headers?a=1&b=2"
        let encoded = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let away = try RawClient.get(site, "/redirect-to?to=\(encoded)&status=307")
        #expect(away.status == 307)
        #expect(away.header("Location") == target)
        #expect(
            try RawClient.get(site, "/redirect-to?to=file%3A%2F%2F%2Fetc%2Fpasswd").header("Location")
                == "file:///etc/passwd")
    }

    @Test func echoHeadersReturnsTheRequestHeadersAsJSON() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let response = try RawClient.get(
            site, "/echo-headers", headers: ["Authorization: Bearer x", "X-Twice: a", "x-twice: b"])
        #expect(response.header("Content-Type") == "application/json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String])
        #expect(object["authorization"] == "Bearer x")
        #expect(object["x-twice"] == "a, b")
        #expect(object["connection"] == "close")
    }

    @Test func jsonAndReadyAnswerTheScriptedDocuments() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        #expect(try RawClient.get(site, "/json?body=%7B%22a%22%3A%5B1%2C2%5D%7D").text == #"{"a":[1,2]}"#)
        #expect(try RawClient.get(site, "/ready/job?after=2").text == #"{"status":"pending"}"#)
        #expect(try RawClient.get(site, "/ready/job?after=2").text == #"{"status":"pending"}"#)
        #expect(try RawClient.get(site, "/ready/job?after=2").text.contains(#""status":"ready""#))
    }

    @Test func contentTypeAndHeaderSizeAreUnderTheQueryControl() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let typed = try RawClient.get(site, "/content-type?type=application%2Fpdf&size=10")
        #expect(typed.header("Content-Type") == "application/pdf")
        #expect(typed.body.count == 10)
        #expect(try RawClient.get(site, "/content-type").header("Content-Type") == nil)
        let injected = try RawClient.get(site, "/content-type?type=text%2Fplain%0D%0AX-Evil%3A%201")
        #expect(injected.header("X-Evil") == nil)
        let large = try RawClient.get(site, "/headers-size?bytes=100000")
        #expect(large.header("X-Filler")?.count == 100_000)
        #expect(large.body.count == 2048)
    }

    @Test func theLimitedPathAnswers429OnceAHostSpendsItsTokens() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let codes = try (0..<5).map { _ in try RawClient.get(site, "/limited/x?rate=3").status }
        #expect(codes.prefix(3) == [200, 200, 200])
        #expect(codes.suffix(2).allSatisfy { $0 == 429 })
        #expect(try RawClient.get(site, "/limited/x?rate=3").header("Retry-After") == "1")
        #expect(try RawClient.get(site, "/limited/x?rate=3", host: "127.0.0.2").status == 200)
    }

    @Test func slowAndDripAnswersTakeTheirTime() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        var slow: RawResponse?
        let slowTime = try seconds { slow = try RawClient.get(site, "/slow?delay=300&size=100") }
        #expect(slow?.body.count == 100)
        #expect(slowTime >= 0.3)
        var drip: RawResponse?
        let dripTime = try seconds { drip = try RawClient.get(site, "/drip?bytes=5&interval=60") }
        #expect(drip?.body == Array("xxxxx".utf8))
        #expect(dripTime >= 0.3)
    }
}
