import Foundation
import Testing
import TrawlTestSite

@testable import Trawl

/// URLs whose host is at its per-host limit wait in the coordinator as data, not as parked tasks: they neither
/// count against the read-ahead window of tasks nor hold other hosts back, and they still honour pauses.
@Suite(.timeLimit(.minutes(1))) struct HeldURLTests {
    let site: TestSite

    init() throws {
        site = try TestSite()
    }

    @Test func aSortedListDoesNotHoldOtherHostsBehindABusyOne() async throws {
        // Sixteen URLs of one host that answer after 30 s, then four of another; two slots for the busy host and
        // a window of only four tasks. Held back behind the busy host, the other host's pages could go out only
        // after its first answers: they must go out while its first two requests are still waiting. (The wait
        // is long because a full suite on two cores can hold a crawl up for seconds; a passing run takes
        // milliseconds.)
        let busy = (0..<16).map { site.url("/slow/a\($0)?delay=30000") }
        let others = (0..<4).map { site.url("/page/b\($0)", host: "127.0.0.2") }
        let run = Task {
            await crawl(
                busy + others,
                configure: {
                    $0.concurrency.total = 8
                    $0.concurrency.perHost = 2
                    $0.concurrency.maxAdmitted = 4
                }, clock: .continuous)
        }
        try await waitUntil(within: .seconds(25)) { site.requestCount(host: "127.0.0.2") >= 4 }
        let busyRequests = site.requestCount(host: "127.0.0.1")
        let othersRequested = site.requestCount(host: "127.0.0.2")
        run.cancel()
        #expect(await finishes(run, within: .seconds(10)), "cancelling did not end the run")
        #expect(othersRequested == 4, "the other host's pages waited behind the busy host's")
        #expect(busyRequests == 2)
        #expect(site.maxInFlight(host: "127.0.0.1") <= 2)
    }

    @Test func urlsHeldForAHostThatGetsPausedWaitOutThePause() async throws {
        let host = "127.0.0.3"
        let first = site.url("/retry-after/held?times=1&after=1", host: host)
        let pages = (0..<5).map { site.url("/page/held\($0)", host: host) }
        let (sink, _) = await crawl(
            [first] + pages,
            configure: {
                $0.concurrency.total = 8
                $0.concurrency.perHost = 1
            }, clock: .continuous)
        #expect(sink.records.count == 6 && sink.records.allSatisfy(\.ok))
        let requests = site.requests()
        let refused = try #require(requests.first { $0.path.hasPrefix("/retry-after/") })
        let pageArrivals = requests.filter { $0.path.hasPrefix("/page/held") }.map(\.arrival)
        #expect(pageArrivals.count == 5)
        // Nothing started on the host while the Retry-After: 1 pause ran (a little slack for timer rounding).
        for arrival in pageArrivals { #expect(arrival - refused.arrival >= .milliseconds(900)) }
        #expect(site.maxInFlight(host: host) == 1)
    }

    @Test func heldURLsStartWhileThePipeIsIdle() async throws {
        // Two URLs of one host, one slot for it, and the writer keeps the pipe open: the second must start
        // when the first ends, without waiting for more input.
        var configuration = Crawler.Configuration()
        configuration.concurrency.perHost = 1
        let piped = try PipedCrawl(
            site.url("/slow/p1?delay=50") + "\n" + site.url("/page/p2") + "\n", configuration: configuration)
        try await piped.waitForRecords(2)
        #expect(piped.sink.records.count == 2)
        close(piped.writeEnd)
        _ = await piped.run.value
        await piped.crawler.shutdown()
    }

    @Test(arguments: [false, true]) func aRunWhoseInputPipeIsIdleEndsWhenStopped(byCancelling: Bool) async throws {
        // The writer keeps the pipe open and sends nothing more: the run waits in a read, which stopping (or
        // cancelling the run's task) must end.
        let piped = try PipedCrawl(site.url("/page/idle") + "\n")
        try await piped.waitForRecords(1)
        #expect(piped.sink.records.count == 1)
        if byCancelling { piped.run.cancel() } else { piped.control.stop() }
        let ended = await finishes(piped.run, within: .seconds(5))
        close(piped.writeEnd)  // ends the read if stopping did not, so a failure does not hang the suite
        #expect(ended, "the run went on waiting for its idle input")
        #expect(await piped.run.value.interrupted)
        #expect(piped.sink.records.count == 1)
        await piped.crawler.shutdown()
    }

    @Test func stoppingEndsARunWhoseHostIsPaced() async throws {
        let urls = (0..<20).map { site.url("/page/r\($0)") }
        let control = RunControl()
        let testSite = site
        // Stops once the first request is in: a full suite on two cores can hold the crawl's start up for seconds.
        let stopper = Task {
            while testSite.requestCount() == 0 { try await Task.sleep(for: .milliseconds(5)) }
            control.stop()
            return ContinuousClock.now
        }
        let (sink, summary) = await crawl(
            urls, configure: { $0.politeness.ratePerHost = 2 }, clock: .continuous, control: control)
        let stopped = try await stopper.value
        // Unstopped, the 19 URLs left at 2 a second take 9.5 s.
        #expect(ContinuousClock.now - stopped < .seconds(6))
        #expect(summary.interrupted)
        #expect(sink.records.count < 20 && sink.records.allSatisfy(\.ok))
    }
}

/// A crawl over the curl transport reading a pipe whose write end the test holds open: `text` is written into
/// it first, and nothing more unless the test writes it.
private struct PipedCrawl {
    let crawler: Crawler
    let sink = CollectingSink()
    let control = RunControl()
    let run: Task<CrawlSummary, Never>
    let writeEnd: Int32

    init(_ text: String, configuration: Crawler.Configuration = Crawler.Configuration()) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CurlTransportError("pipe() failed") }
        _ = text.withCString { write(fds[1], $0, strlen($0)) }
        let crawler = Crawler(configuration: configuration, transport: try CurlMultiTransport())
        let (sink, control, readEnd) = (sink, control, fds[0])
        self.crawler = crawler
        writeEnd = fds[1]
        run = Task {
            await crawler.run(input: LineReader(fd: readEnd, closeOnDeinit: true), sink: sink, control: control)
        }
    }

    /// Waits up to 30 s (a full suite can hold a crawl up for seconds) for `count` records.
    func waitForRecords(_ count: Int) async throws {
        try await waitUntil { sink.records.count >= count }
    }
}
