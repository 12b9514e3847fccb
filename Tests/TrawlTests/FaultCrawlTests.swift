import Foundation
import Testing
import TrawlTestSite

@testable import Trawl

/// How a crawl ends URLs that the network or the server fails (RELIABILITY, "Server and network faults"): what is
/// retried, what is not, and what the final record says. Over both transports, judged at the loopback site.
@Suite(.timeLimit(.minutes(1))) struct FaultCrawlTests {
    let site: TestSite

    init() throws {
        site = try TestSite()
    }

    @Test(arguments: TransportKind.allCases)
    func aRefusedConnectionIsRetriedWithBackoffThenRecordedAsConnectAndItsSlotReleased(_ kind: TransportKind)
        async throws
    {
        // One slot in all. The closed port is on 127.0.0.1, the host of the page too (per-host limits ignore the
        // port): a slot kept by any failed attempt would leave the page, or the next attempt, waiting forever.
        let clock = RecordingClock()
        let refused = "http://127.0.0.1:\(closedPort())/refused"
        let later = site.url("/page/after-refused")
        let run = Task {
            await crawl(
                [refused, later],
                configure: {
                    $0.concurrency.total = 1
                    $0.retry.maxAttempts = 3
                }, clock: CrawlClock(clock), transport: kind.make())
        }
        let ended = await finishes(run, within: .seconds(10))
        if !ended { run.cancel() }
        try #require(ended, "the run did not end: a slot was not given back")
        let (sink, _) = await run.value
        let record = try #require(sink.record(for: refused))
        #expect(!record.ok && record.error?.kind == .connect && record.status == nil)
        #expect(record.attempts == 3)
        #expect(sink.record(for: later)?.ok == true)
        // The policy is 10 ms doubling with equal jitter: 5–10 ms, then 10–20 ms.
        let sleeps = clock.sleeps
        try #require(sleeps.count == 2, "\(sleeps)")
        #expect(sleeps[0] >= .milliseconds(5) && sleeps[1] >= .milliseconds(10), "\(sleeps)")
    }

    @Test(arguments: TransportKind.allCases)
    func aConnectThatNeverCompletesTimesOutAndIsRetried(_ kind: TransportKind) async throws {
        let listener = FullBacklogListener()
        let url = "http://127.0.0.1:\(listener.port)/never"
        let start = ContinuousClock.now
        let (sink, _) = await crawl(
            [url],
            configure: {
                $0.request.timeout = .milliseconds(300)
                $0.retry.maxAttempts = 2
            }, transport: kind.make())
        let record = try #require(sink.record(for: url))
        #expect(!record.ok && record.error?.kind == .timeout && record.attempts == 2, "\(record.error as Any)")
        #expect(ContinuousClock.now - start >= .milliseconds(550))
        withExtendedLifetime(listener) {}
    }

    @Test(arguments: TransportKind.allCases, [500, 502, 503, 504])
    func serverErrorStatusesAreRetriedWithCappedJitteredBackoff(_ kind: TransportKind, code: Int) async throws {
        // Four attempts, then a record with the last status. The policy is 10 ms doubling, capped at 20 ms, with
        // equal jitter: each sleep lies between half its ceiling and the ceiling (10, 20, then 20 ms, not 40).
        let clock = RecordingClock()
        let url = site.url("/status/\(code)")
        let (sink, _) = await crawl(
            [url],
            configure: {
                $0.retry.policy = ExponentialBackoff(base: .milliseconds(10), maximum: .milliseconds(20))
            }, clock: CrawlClock(clock), transport: kind.make())
        let record = try #require(sink.record(for: url))
        #expect(!record.ok && record.status == code && record.attempts == 4)
        #expect(record.error == RecordError(.status, "HTTP \(code) after 4 attempts"))
        #expect(site.requestCount(path: "/status/\(code)") == 4)
        let sleeps = clock.sleeps
        try #require(sleeps.count == 3, "\(sleeps)")
        let ceilings: [Duration] = [.milliseconds(10), .milliseconds(20), .milliseconds(20)]
        for (sleep, ceiling) in zip(sleeps, ceilings) {
            #expect(sleep >= ceiling / 2 && sleep <= ceiling, "\(sleeps)")
        }
    }

    @Test(arguments: TransportKind.allCases)
    func clientErrorStatusesAreNotRetried(_ kind: TransportKind) async throws {
        let clock = RecordingClock()
        let codes = [400, 401, 403, 404, 410]
        let urls = codes.map { site.url("/status/\($0)") }
        let (sink, _) = await crawl(urls, clock: CrawlClock(clock), transport: kind.make())
        for (code, url) in zip(codes, urls) {
            let record = try #require(sink.record(for: url), "\(code)")
            #expect(!record.ok && record.status == code && record.attempts == 1, "\(code)")
            #expect(record.error == RecordError(.status, "HTTP \(code)"), "\(code)")
            #expect(site.requestCount(path: "/status/\(code)") == 1, "\(code)")
        }
        #expect(clock.sleeps.isEmpty, "\(clock.sleeps)")
    }

    @Test(arguments: TransportKind.allCases)
    func aBodyOverTheCapEndsTheURLInOneAttemptPlainOrGzipped(_ kind: TransportKind) async throws {
        // 50 MB of zeros gzipped to about 50 KB: the cap counts decoded bytes, and it is not retried.
        let plain = site.url("/big?bytes=3000000")
        let bomb = site.url("/gzip?bytes=50000000")
        let (sink, _) = await crawl(
            [plain, bomb], configure: { $0.request.maxBodyBytes = 1_000_000 }, transport: kind.make())
        for url in [plain, bomb] {
            let record = try #require(sink.record(for: url))
            #expect(record.error?.kind == .bodyTooLarge && record.attempts == 1 && record.status == 200, "\(url)")
        }
        #expect(site.requestCount(path: "/gzip") == 1 && site.requestCount(path: "/big") == 1)
    }
}
