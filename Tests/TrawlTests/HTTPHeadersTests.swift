import Testing

@testable import Trawl

@Suite struct HTTPHeadersTests {
    /// As the libcurl transport hands them over: `name:value` lines, parsed only when read.
    static let received = HTTPHeaders(
        lines: Array("Server:nginx\nContent-Type:text/html\nLocation:http://a/x?b=c:d\nX-Empty:\nset-cookie:a=1\n".utf8)
    )

    @Test func lookupInReceivedLinesIsCaseInsensitiveAndKeepsColonsInValues() {
        let headers = Self.received
        #expect(headers["content-type"] == "text/html")
        #expect(headers["CONTENT-TYPE"] == "text/html")
        #expect(headers["location"] == "http://a/x?b=c:d")
        #expect(headers["x-empty"] == "")
        #expect(headers["content"] == nil)
        #expect(headers["retry-after"] == nil)
        #expect(headers.contains("Set-Cookie"))
    }

    @Test func receivedLinesIterateInOrderAndEqualTheSameFieldsBuiltInCode() {
        let headers = Self.received
        #expect(headers.map(\.name) == ["Server", "Content-Type", "Location", "X-Empty", "set-cookie"])
        #expect(headers.fields.last?.value == "a=1")
        let built = HTTPHeaders([
            ("Server", "nginx"), ("Content-Type", "text/html"), ("Location", "http://a/x?b=c:d"), ("X-Empty", ""),
            ("set-cookie", "a=1"),
        ])
        #expect(headers == built)
    }

    @Test func everyValueOfANameComesInOrder() {
        var headers = HTTPHeaders(lines: Array("Retry-After:1\nServer:x\nretry-after:1000\n".utf8))
        #expect(headers.values("RETRY-AFTER") == ["1", "1000"])
        #expect(headers.values("location").isEmpty)
        headers.add(name: "Retry-After", value: "5")
        #expect(headers.values("retry-after") == ["1", "1000", "5"])
    }

    @Test func changingReceivedHeadersKeepsTheirOrder() {
        var headers = Self.received
        headers.add(name: "X-Added", value: "1")
        headers.replace(name: "content-type", value: "text/plain")
        headers.remove(name: "SERVER")
        #expect(headers.map(\.name) == ["Location", "X-Empty", "set-cookie", "X-Added", "content-type"])
        #expect(headers["Content-Type"] == "text/plain")
        #expect(headers["server"] == nil)
    }
}
