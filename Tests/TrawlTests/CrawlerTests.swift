import Foundation
import Testing
import TrawlTestSite

@testable import Trawl

@Suite(.timeLimit(.minutes(1))) struct CrawlerTests {
    let site: TestSite

    init() throws {
        site = try TestSite()
    }

    @Test func aRunControlServingManyRunsKeepsNoneOfTheirInputs() async throws {
        // Each run's input holds a file descriptor and a wake pipe: the control must not keep them open.
        let control = RunControl()
        let crawler = Crawler(transport: try CurlMultiTransport())
        weak var firstInput: LineReader?
        for round in 0..<3 {
            let input = LineReaderTests.reader(site.url("/page/reused\(round)"))
            if round == 0 { firstInput = input }
            let summary = await crawler.run(input: input, sink: CollectingSink(), control: control)
            #expect(summary.records == 1)
        }
        #expect(firstInput == nil, "the control still holds the first run's input")
        await crawler.shutdown()
    }

    @Test func aMixedListGetsExactlyOneRightRecordPerDistinctLine() async throws {
        let page1 = site.url("/page/1")
        let page2 = site.url("/page/2", host: "127.0.0.2")
        let notFound = site.url("/status/404", host: "127.0.0.3")
        let flaky = site.url("/seq/flaky/503,200")
        let limited = site.url("/retry-after/s?after=2", host: "127.0.0.2")
        let limitedDate = site.url("/retry-after/d?after=2&form=date", host: "127.0.0.3")
        let broken = site.url("/status/500")
        let reset = site.url("/reset", host: "127.0.0.2")
        let lines = [
            "# a comment", page1, "", "  \(page2)  ", notFound, flaky, limited, limitedDate, broken, reset, page1,
            "ftp://example.com/x", "not a url", "http://", page2,
        ]
        let (sink, summary) = await crawl(lines)
        let records = sink.records
        #expect(records.count == 11)
        #expect(Set(records.map(\.url)).count == 11)
        #expect(summary.records == 11 && summary.succeeded == 5)

        func check(_ url: String, ok: Bool, status: Int?, attempts: Int, kind: ErrorKind? = nil) {
            guard let record = sink.record(for: url) else {
                Issue.record("no record for \(url)")
                return
            }
            #expect(record.ok == ok, "\(url)")
            #expect(record.status == status, "\(url)")
            #expect(record.attempts == attempts, "\(url)")
            #expect(record.error?.kind == kind, "\(url): \(String(describing: record.error))")
        }
        check(page1, ok: true, status: 200, attempts: 1)
        check(page2, ok: true, status: 200, attempts: 1)
        check(notFound, ok: false, status: 404, attempts: 1, kind: .status)
        check(flaky, ok: true, status: 200, attempts: 2)
        check(limited, ok: true, status: 200, attempts: 2)
        check(limitedDate, ok: true, status: 200, attempts: 2)
        check(broken, ok: false, status: 500, attempts: 4, kind: .status)
        check(reset, ok: false, status: nil, attempts: 4, kind: .network)
        check("ftp://example.com/x", ok: false, status: nil, attempts: 0, kind: .unsupportedScheme)
        check("not a url", ok: false, status: nil, attempts: 0, kind: .invalidURL)
        check("http://", ok: false, status: nil, attempts: 0, kind: .invalidURL)

        #expect(site.requestCount(path: "/status/404") == 1)
        #expect(site.requestCount(path: "/page/1") == 1)
        #expect(site.requestCount(path: "/status/500") == 4)
    }

    @Test func recordsCarryFinalURLContentTypeBytesAndBodies() async throws {
        let url = site.url("/redirect/2")
        let (sink, _) = await crawl([url]) { $0.output.body = .text }
        let record = try #require(sink.records.first)
        #expect(record.ok && record.status == 200 && record.attempts == 1)
        #expect(record.finalURL == site.url("/redirect/0"))
        #expect(record.contentType?.hasPrefix("text/html") == true)
        #expect(record.bytes == 2048)
        guard case .text(let body)? = record.body else {
            Issue.record("no body")
            return
        }
        #expect(body.utf8.count == 2048)
    }

    @Test func theGlobalAndPerHostCapsHoldAtTheServerAndAreReached() async throws {
        let urls = (0..<60).map { site.url("/slow/\($0)?delay=60", host: site.hosts[$0 % 3]) }
        let (sink, _) = await crawl(urls) {
            $0.concurrency.total = 8
            $0.concurrency.perHost = 3
        }
        #expect(sink.records.count == 60 && sink.records.allSatisfy { $0.ok })
        #expect(site.maxInFlight() <= 8)
        #expect(site.maxInFlight() >= 7)
        for host in site.hosts { #expect(site.maxInFlight(host: host) <= 3) }
    }

    @Test func aURLWaitingOnBackoffHoldsNoSlot() async throws {
        // One slot. The flaky URL backs off for 300 ms; the five pages must use the slot meanwhile.
        let flaky = site.url("/seq/wait/500,200")
        let pages = (0..<5).map { site.url("/page/\($0)", host: "127.0.0.2") }
        let (sink, _) = await crawl(
            [flaky] + pages,
            configure: {
                $0.concurrency.total = 1
                $0.retry.policy = ConstantBackoff(.milliseconds(300))
            }, clock: .continuous)
        #expect(sink.records.allSatisfy { $0.ok })
        let order = site.requests().map(\.path)
        #expect(order.count == 7)
        #expect(order.first == "/seq/wait/500,200")
        // With one slot, a page served between the flaky URL's two attempts proves the wait held no slot
        // (on an idle machine all five are; a loaded one may be slower than the 300 ms wait).
        let retry = try #require(order.dropFirst().firstIndex(of: "/seq/wait/500,200"))
        #expect(retry > 1)
    }

    @Test func retryAfterAndBackoffGapsAtTheServerAreAtLeastTheStatedWait() async throws {
        let limited = site.url("/retry-after/gap?after=1&times=1")
        let flaky = site.url("/seq/gap/500,500,200", host: "127.0.0.2")
        let (sink, _) = await crawl(
            [limited, flaky],
            configure: {
                $0.retry.policy = ExponentialBackoff(base: .milliseconds(200), maximum: .seconds(1))
            }, clock: .continuous)
        #expect(sink.records.allSatisfy { $0.ok })
        func gaps(_ path: String) -> [Duration] {
            let arrivals = site.requests().filter { $0.path == path }.map(\.arrival)
            return zip(arrivals, arrivals.dropFirst()).map { $1 - $0 }
        }
        let retryAfterGaps = gaps("/retry-after/gap")
        #expect(retryAfterGaps.count == 1 && retryAfterGaps[0] >= .seconds(1))
        let backoffGaps = gaps("/seq/gap/500,500,200")
        #expect(backoffGaps.count == 2)
        // Equal jitter: at least half the ceiling (100 ms, then 200 ms).
        #expect(backoffGaps[0] >= .milliseconds(100) && backoffGaps[1] >= .milliseconds(200))
    }

    @Test func aRetryAfterOnOneURLPausesItsWholeHostButNotOthers() async throws {
        let limited = site.url("/retry-after/pause?after=2&times=1")
        let sameHost = (0..<4).map { site.url("/slow/\($0)?delay=100") }
        let otherHost = (0..<12).map { site.url("/slow/\($0)?delay=100", host: "127.0.0.2") }
        let (sink, _) = await crawl(
            [limited] + sameHost + otherHost,
            configure: {
                $0.concurrency.perHost = 1
            }, clock: .continuous)
        #expect(sink.records.allSatisfy { $0.ok })
        let log = site.requests()
        let refused = try #require(log.first { $0.path == "/retry-after/pause" })
        let pauseEnd = refused.arrival + .seconds(2)
        let duringPause = log.filter { $0.arrival > refused.arrival && $0.arrival < pauseEnd }
        // Nothing started on the paused host; the other host kept being served.
        #expect(duringPause.allSatisfy { $0.host != "127.0.0.1" })
        #expect(duringPause.filter { $0.host == "127.0.0.2" }.count >= 2)
    }

    @Test(arguments: TransportKind.allCases)
    func repeatedRetryAfterFieldsFallBackToTheBackoff(_ kind: TransportKind) async throws {
        // Two fields that disagree say nothing trustworthy: neither is waited out, nor pauses the host.
        let clock = RecordingClock()
        let url = site.url("/retry-after/twice-\(kind)?after=1&also=100&times=1")
        let (sink, _) = await crawl([url], clock: CrawlClock(clock), transport: kind.make())
        #expect(sink.records.first?.ok == true && sink.records.first?.attempts == 2)
        #expect(clock.sleeps.count == 1 && clock.sleeps[0] <= .milliseconds(10), "\(clock.sleeps)")
    }

    @Test(arguments: TransportKind.allCases)
    func redirectsAreCappedAndLoopsEndAsTooManyRedirects(_ kind: TransportKind) async throws {
        // Three hops allowed: the loop's fourth request is its last, and the URL is not retried.
        let (sink, _) = await crawl(
            [site.url("/redirect-loop"), site.url("/redirect/3")], configure: { $0.request.maxRedirects = 3 },
            transport: kind.make())
        #expect(sink.record(for: site.url("/redirect-loop"))?.error?.kind == .tooManyRedirects)
        #expect(sink.record(for: site.url("/redirect-loop"))?.attempts == 1)
        #expect(sink.record(for: site.url("/redirect/3"))?.ok == true)
        #expect(site.requestCount(path: "/redirect-loop") == 4)
    }

    @Test func redirectsToOtherSchemesAndHTTPSDowngradesAreRefused() throws {
        let base = URL(string: "https://a.example/x")!
        #expect(throws: RecordError(.unsupportedScheme, "refused a redirect from https to http")) {
            try Redirect.target(location: "http://a.example/y", from: base)
        }
        #expect(throws: RecordError.self) { try Redirect.target(location: "file:///etc/passwd", from: base) }
        #expect(try Redirect.target(location: "/y", from: base).0.absoluteString == "https://a.example/y")
    }

    @Test func aHungServerTimesOutEveryAttempt() async throws {
        let (sink, _) = await crawl([site.url("/hang")]) {
            $0.request.timeout = .milliseconds(300)
            $0.retry.maxAttempts = 2
        }
        #expect(sink.records.first?.error?.kind == .timeout && sink.records.first?.attempts == 2)
    }

    @Test func stoppingRecordsOnlyFinishedURLsAndNoneThatWereWaiting() async throws {
        let control = RunControl()
        let slow = (0..<3).map { site.url("/slow/\($0)?delay=400") }
        let waiting = site.url("/seq/stop/503,200", host: "127.0.0.2")
        let later = (0..<50).map { site.url("/page/\($0)", host: "127.0.0.3") }
        let server = site
        // Stop once the slow pages are in flight and the flaky URL is waiting on its backoff. A thread of its
        // own, as a signal handler would be: other tests may keep the cooperative threads busy meanwhile.
        Thread {
            while server.inFlight(host: "127.0.0.1") < 3 || server.requestCount(path: "/seq/stop/503,200") < 1 {
                usleep(2_000)
            }
            control.stop()
        }.start()
        let (sink, summary) = await crawl(
            slow + [waiting] + later,
            configure: {
                $0.concurrency.total = 4
                $0.retry.policy = ConstantBackoff(.seconds(5))
            }, clock: .continuous, control: control)
        #expect(summary.interrupted)
        #expect(sink.record(for: waiting) == nil)
        for url in slow { #expect(sink.record(for: url)?.ok == true) }
        #expect(sink.records.count < 54)
    }
}
