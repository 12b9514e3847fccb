import Testing

@testable import TrawlTestSite

@Suite("HTTP dates and requests", .timeLimit(.minutes(1)))
struct HTTPDateTests {
    @Test func theThreeDateFormsMatchTheRFCExample() {
        let moment: Int64 = 784_111_777
        #expect(HTTPDate.imfFixdate(moment) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.rfc850(moment) == "Sunday, 06-Nov-94 08:49:37 GMT")
        #expect(HTTPDate.asctime(moment) == "Sun Nov  6 08:49:37 1994")
    }

    @Test func datesAroundLeapYearsAndTheEpochAreRight() {
        #expect(HTTPDate.imfFixdate(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.imfFixdate(951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(HTTPDate.imfFixdate(4_102_444_799) == "Thu, 31 Dec 2099 23:59:59 GMT")
    }

    @Test func queryValuesArePercentDecodedAndMalformedEscapesKept() {
        let query = QueryParameters("to=http%3A%2F%2Fa%2Fb%3Fc%3D1&bad=%zz%4&size=12&size=13&flag")
        #expect(query["to"] == "http://a/b?c=1")
        #expect(query["bad"] == "%zz%4")
        #expect(query.int("size", default: 0) == 12)
        #expect(query["flag"] == "")
        #expect(query["missing"] == nil)
    }

    @Test func requestHeadsParseAndRejectBadSyntax() throws {
        let head = try HTTPRequestHead(parsing: ArraySlice("GET /a/b?x=1 HTTP/1.0\r\nConnection: keep-alive".utf8))
        #expect(head.path == "/a/b")
        #expect(head.query == "x=1")
        #expect(head.keepAlive)
        let absolute = try HTTPRequestHead(parsing: ArraySlice("GET http://h:1/p?q HTTP/1.1".utf8))
        #expect(absolute.target == "/p?q")
        #expect(throws: HTTPRequestHead.ParseError.malformed) {
            try HTTPRequestHead(parsing: ArraySlice("GET  / HTTP/1.1".utf8))
        }
    }
}
