import Foundation
import Testing
import TrawlTestSite

@Suite("TestSite connections and statistics", .timeLimit(.minutes(1)))
struct TestSiteConnectionTests {
    @Test func threeHostsShareOnePortAndEachRequestRecordsItsHost() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        #expect(site.port > 0)
        #expect(site.hosts == ["127.0.0.1", "127.0.0.2", "127.0.0.3"])
        #expect(site.url("/page/a", host: "127.0.0.2") == "http://127.0.0.2:\(site.port)/page/a")
        for host in site.hosts { _ = try RawClient.get(site, "/page/x?size=10", host: host) }
        _ = try RawClient.get(site, "/page/x?size=20", host: "127.0.0.2")
        #expect(site.requests().map(\.host) == ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.2"])
        #expect(site.requestCount() == 4)
        #expect(site.requestCount(path: "/page/x") == 4)
        #expect(site.requestCount(path: "/page/x", host: "127.0.0.2") == 2)
        #expect(site.requestCount(path: "/page/y") == 0)
        let logged = try #require(site.requests().last)
        #expect(logged.method == "GET")
        #expect(logged.target == "/page/x?size=20")
        #expect(logged.path == "/page/x")
        #expect(logged.header("host") == "test")
        site.resetStatistics()
        #expect(site.requestCount() == 0)
    }

    @Test func aKeepAliveConnectionServesManyRequestsAndHonoursConnectionClose() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let client = try RawClient(host: "127.0.0.1", port: site.port)
        try client.sendGet("/page/1?size=10")
        let first = try client.readResponse()
        #expect(first.header("Connection") == "keep-alive")
        try client.send("GET /page/2?size=10 HTTP/1.1\r\n\r\nGET /page/3?size=10 HTTP/1.1\r\n\r\n")
        #expect(try client.readResponse().body.count == 10)
        #expect(try client.readResponse().body.count == 10)
        try client.sendGet("/status/404", close: true)
        let last = try client.readResponse()
        #expect(last.status == 404)
        #expect(last.header("Connection") == "close")
        #expect(try client.readToEnd().isEmpty)
        #expect(Set(site.requests().map(\.connectionID)).count == 1)
        #expect(try RawClient.get(site, "/").header("Connection") == "close")
        #expect(Set(site.requests().map(\.connectionID)).count == 2)

        let stale = try RawClient(host: "127.0.0.1", port: site.port)
        try stale.sendGet("/stale-keep-alive?size=10")
        let promised = try stale.readResponse()
        #expect(promised.header("Connection") == "keep-alive")
        #expect(promised.body.count == 10)
        #expect(try stale.readToEnd().isEmpty)
        #expect(site.requestCount(path: "/stale-keep-alive?ignored=1") == 1)
    }

    @Test func malformedOrOversizedRequestsGetAnErrorAndTheSiteKeepsServing() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        for garbage in [
            "NOT A REQUEST AT ALL\r\n\r\n", "GET nopath HTTP/1.1\r\n\r\n", "\u{1}\u{2}\u{FF}\r\n\r\n",
            "GET / HTTP/1.1\r\nno colon here\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        ] {
            let client = try RawClient(host: "127.0.0.1", port: site.port)
            try client.send(garbage)
            let response = try client.readResponse()
            #expect(response.status == 400, "for \(garbage.debugDescription)")
            #expect(try client.readToEnd().isEmpty)
        }
        let huge = try RawClient(host: "127.0.0.1", port: site.port)
        try huge.send("GET / HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 70_000) + "\r\n\r\n")
        #expect(try huge.readResponse().status == 431)
        let oldVersion = try RawClient(host: "127.0.0.1", port: site.port)
        try oldVersion.send("GET / HTTP/2.0\r\n\r\n")
        #expect(try oldVersion.readResponse().status == 505)
        #expect(site.requestCount() == 0)
        #expect(try RawClient.get(site, "/page/%ff%00/..%2f?size=5").body.count == 5)
    }

    @Test func connectionFaultsEndTheConnectionTheWayTheyAdvertise() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let reset = try RawClient(host: "127.0.0.1", port: site.port)
        try reset.sendGet("/reset")
        #expect(throws: RawClientError.self) { try reset.readToEnd() }

        let empty = try RawClient(host: "127.0.0.1", port: site.port)
        try empty.sendGet("/empty-reply")
        #expect(try empty.readToEnd().isEmpty)

        let short = try RawClient(host: "127.0.0.1", port: site.port)
        try short.sendGet("/short-body?declared=1000&sent=10")
        let shortBytes = try short.readToEnd()
        #expect(String(decoding: shortBytes, as: UTF8.self).contains("Content-Length: 1000\r\n"))
        let headLength = try #require(Self.headLength(shortBytes))
        #expect(shortBytes.count == headLength + 10)

        let midBody = try RawClient(host: "127.0.0.1", port: site.port)
        try midBody.sendGet("/reset-mid-body?bytes=500")
        #expect(throws: (any Error).self) { try midBody.readResponse() }

        let malformed = try RawClient(host: "127.0.0.1", port: site.port)
        try malformed.sendGet("/malformed")
        #expect(String(decoding: try malformed.readToEnd(), as: UTF8.self) == "HTTP/1.1 abc\r\ngarbage\r\n\r\n")

        let badChunked = try RawClient(host: "127.0.0.1", port: site.port)
        try badChunked.sendGet("/bad-chunked")
        #expect(throws: RawClientError.self) { try badChunked.readResponse() }
        #expect(try RawClient.get(site, "/status/200").status == 200)
    }

    private static func headLength(_ bytes: [UInt8]) -> Int? {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.range(of: "\r\n\r\n").map { text.utf8.distance(from: text.startIndex, to: $0.upperBound) }
    }

    @Test func largeChunkedAndEndlessBodiesStreamAndStopWhenTheClientLeaves() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let big = try RawClient.get(site, "/big?bytes=10000000")
        #expect(big.body.count == 10_000_000)
        #expect(try RawClient.get(site, "/chunked?bytes=300000").body.count == 300_000)
        let endless = try RawClient(host: "127.0.0.1", port: site.port)
        try endless.sendGet("/endless")
        #expect(try endless.readResponse(bodyLimit: 1_000_000).body.count >= 1_000_000)
        let leaving = try RawClient(host: "127.0.0.1", port: site.port)
        try leaving.sendGet("/big?bytes=100000000")
        #expect(try leaving.readResponse(bodyLimit: 100_000).body.count == 100_000)
        #expect(try RawClient.get(site, "/page/after").status == 200)
    }

    @Test func concurrentSlowRequestsAreCountedAsInFlightTogether() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let port = site.port
        concurrently(8) { index in
            let host = index % 2 == 0 ? "127.0.0.1" : "127.0.0.2"
            guard let client = try? RawClient(host: host, port: port) else { return }
            try? client.sendGet("/slow?delay=400&size=10", close: true)
            _ = try? client.readResponse()
        }
        #expect(site.maxInFlight() == 8)
        #expect(site.maxInFlight(host: "127.0.0.1") == 4)
        #expect(site.maxInFlight(host: "127.0.0.3") == 0)
        #expect(site.inFlight() == 0)
        #expect(site.requestCount(path: "/slow") == 8)
    }

    @Test func threeHundredConnectionsAreServedAtOnce() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let clients = try (0..<300).map { index in
            try RawClient(host: site.hosts[index % 3], port: site.port, timeoutSeconds: 20)
        }
        for client in clients { try client.sendGet("/slow?delay=1000&size=100") }
        var statuses: [Int] = []
        for client in clients { statuses.append(try client.readResponse().status) }
        #expect(statuses == Array(repeating: 200, count: 300))
        #expect(site.maxInFlight() > 150)
        #expect(Set(site.requests().map(\.connectionID)).count == 300)
    }

    @Test func shutdownReleasesHungAndSleepingRequestsQuickly() throws {
        let site = try TestSite()
        let hung = try RawClient(host: "127.0.0.1", port: site.port)
        try hung.sendGet("/hang")
        let sleeping = try RawClient(host: "127.0.0.2", port: site.port)
        try sleeping.sendGet("/slow?delay=60000")
        let idle = try RawClient(host: "127.0.0.3", port: site.port)
        try idle.sendGet("/page/a?size=10")
        _ = try idle.readResponse()
        while site.inFlight() < 2 { usleep(1000) }
        #expect(site.inFlight(host: "127.0.0.1") == 1)
        let elapsed = seconds { site.shutdown() }
        #expect(elapsed < 1)
        #expect(try hung.readToEnd().isEmpty)
        #expect(try sleeping.readToEnd().isEmpty)
        #expect(try idle.readToEnd().isEmpty)
        #expect(site.inFlight() == 0)
        site.shutdown()
        #expect(throws: RawClientError.self) { try RawClient(host: "127.0.0.1", port: site.port) }
    }

    @Test func aTakenPortIsReportedAsAddressInUse() throws {
        let site = try TestSite(hosts: ["127.0.0.1"])
        defer { site.shutdown() }
        #expect(throws: TestSiteError.self) { try TestSite(hosts: ["127.0.0.1"], port: UInt16(site.port)) }
        #expect(throws: TestSiteError.self) { try TestSite(hosts: ["not-an-address"]) }
    }
}
