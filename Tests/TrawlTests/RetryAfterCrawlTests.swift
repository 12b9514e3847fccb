import Foundation
import Testing
import TrawlTestSite

@testable import Trawl

/// How a crawl honours `Retry-After` (RELIABILITY, "Server and network faults"), judged at the loopback site over
/// both transports: each reports the header the crawler acts on.
@Suite(.timeLimit(.minutes(1))) struct RetryAfterCrawlTests {
    let site: TestSite

    init() throws {
        site = try TestSite()
    }

    @Test(arguments: TransportKind.allCases)
    func aURLWaitingOutARetryAfterHoldsNoSlot(_ kind: TransportKind) async throws {
        // One slot. The limited URL's Retry-After wait is held open by the clock until the five pages of another
        // host were served: they can only have been if the waiting URL gave its slot back.
        let clock = GatedClock()
        let path = "/retry-after/slot-\(kind)"
        let limited = site.url("\(path)?after=1&times=1")
        let pages = (0..<5).map { site.url("/page/slot\($0)", host: "127.0.0.2") }
        let run = Task {
            await crawl(
                [limited] + pages, configure: { $0.concurrency.total = 1 }, clock: CrawlClock(clock),
                transport: kind.make())
        }
        try await waitUntil { site.requestCount(host: "127.0.0.2") >= 5 && site.requestCount(path: path) >= 1 }
        let pagesServedDuringTheWait = site.requestCount(host: "127.0.0.2")
        let limitedRequestsDuringTheWait = site.requestCount(path: path)
        #expect(await open(clock, thenFinish: run), "the run did not end once the wait was over")
        #expect(pagesServedDuringTheWait == 5, "pages waited behind a URL sleeping out its Retry-After")
        #expect(limitedRequestsDuringTheWait == 1)
        #expect(clock.sleeps == [.seconds(1)])
        let (sink, _) = await run.value
        #expect(sink.records.count == 6 && sink.records.allSatisfy(\.ok))
        #expect(sink.record(for: limited)?.attempts == 2)
    }

    @Test(arguments: TransportKind.allCases)
    func aRetryAfterDateInThePastMeansNoWait(_ kind: TransportKind) async throws {
        // An IMF-fixdate an hour ago: retry at once, neither sleeping nor pausing the host, nor taking the date
        // for garbage (which would sleep the backoff). Adaptive pacing is off: the 429 would start a pace whose
        // short sleeps between starts are not the wait under test.
        let clock = RecordingClock()
        let url = site.url("/retry-after/past-\(kind)?form=past&times=1")
        let later = site.url("/page/after-past")
        let (sink, _) = await crawl(
            [url, later],
            configure: {
                $0.retry.policy = ConstantBackoff(.seconds(7))
                $0.politeness.adaptive = false
            }, clock: CrawlClock(clock), transport: kind.make())
        let record = try #require(sink.record(for: url))
        #expect(record.ok && record.attempts == 2, "\(String(describing: record.error))")
        #expect(sink.record(for: later)?.ok == true)
        #expect(clock.sleeps.allSatisfy { $0 <= .zero }, "\(clock.sleeps)")
        #expect(site.requestCount(path: "/retry-after/past-\(kind)") == 2)
    }

    @Test(arguments: TransportKind.allCases)
    func retryAfterDatesInEveryFormAreWaitedUntil(_ kind: TransportKind) async throws {
        // IMF-fixdate, RFC 850 and asctime, 30 s ahead (rounded up to a whole second by the site), one host each so
        // the pauses stay apart: each URL sleeps until its date, not its backoff. The clock holds the three sleeps
        // until all are asked for, so none of them moves its time under another.
        let clock = GatedClock()
        let forms = ["date", "rfc850", "asctime"]
        let urls = zip(forms, site.hosts).map { form, host in
            site.url("/retry-after/\(form)-\(kind)?form=\(form)&after=30&times=1", host: host)
        }
        let run = Task { await crawl(urls, clock: CrawlClock(clock), transport: kind.make()) }
        try await waitUntil { clock.sleeps.count >= urls.count }
        let waits = clock.sleeps
        #expect(await open(clock, thenFinish: run), "the run did not end once the waits were over")
        #expect(waits.count == 3 && waits.allSatisfy { $0 >= .seconds(25) && $0 <= .seconds(31) }, "\(waits)")
        let (sink, _) = await run.value
        #expect(sink.records.count == 3 && sink.records.allSatisfy { $0.ok && $0.attempts == 2 }, "\(sink.records)")
    }

    @Test(arguments: TransportKind.allCases)
    func unusableRetryAfterValuesFallBackToTheBackoffAndNeverLoopHot(_ kind: TransportKind) async throws {
        // Garbage, negative, fractional, empty and blank values: each URL is retried after the policy's backoff
        // (5-10 ms here), neither at once nor after a wait the value seemed to name. Adaptive pacing is off: the
        // 429s would start a pace whose sleeps between starts are not the waits under test.
        let clock = GatedClock()
        let queries = ["form=garbage", "after=-5", "after=1.5", "after=", "after=%20%20"]
        let urls = queries.enumerated().map { site.url("/retry-after/unusable\($0)-\(kind)?\($1)&times=1") }
        let run = Task {
            await crawl(
                urls, configure: { $0.politeness.adaptive = false }, clock: CrawlClock(clock), transport: kind.make())
        }
        try await waitUntil { clock.sleeps.count >= urls.count }
        let sleeps = clock.sleeps
        #expect(await open(clock, thenFinish: run), "the run did not end once the waits were over")
        #expect(sleeps.count == queries.count, "\(sleeps)")
        #expect(sleeps.allSatisfy { $0 >= .milliseconds(5) && $0 <= .milliseconds(10) }, "\(sleeps)")
        let (sink, _) = await run.value
        for (url, query) in zip(urls, queries) {
            let record = try #require(sink.record(for: url), "\(query)")
            #expect(record.ok && record.attempts == 2, "\(query): \(record.error as Any)")
        }
    }

    /// Opens `clock`, ending the waits on it, and waits (at most 10 s) for `run` to end; cancels it if it did not.
    /// - Returns: whether it ended.
    private func open<T: Sendable>(_ clock: GatedClock, thenFinish run: Task<T, Never>) async -> Bool {
        clock.open()
        let ended = await finishes(run, within: .seconds(10))
        if !ended { run.cancel() }
        return ended
    }

    @Test(arguments: TransportKind.allCases)
    func aRetryAfterAboveTheCapEndsTheURLInOneAttemptWithoutSleepingOrPausingTheHost(_ kind: TransportKind)
        async throws
    {
        // Over the cap, however far (9999999999 s saturates rather than overflowing): one request, a record that
        // says why, no sleep, and no pause of the host for the next URL. At the cap exactly, the wait is made.
        let clock = RecordingClock()
        let over = site.url("/retry-after/over-\(kind)?after=6&times=5")
        let huge = site.url("/retry-after/huge-\(kind)?after=9999999999&times=5")
        let sameHost = site.url("/page/after-cap")
        let (sink, _) = await crawl(
            [over, huge, sameHost],
            configure: {
                $0.retry.maxRetryAfter = .seconds(5)
                // One at a time, so the page starts after both refusals.
                $0.concurrency.perHost = 1
            }, clock: CrawlClock(clock), transport: kind.make())
        for url in [over, huge] {
            let record = try #require(sink.record(for: url))
            #expect(record.error?.kind == .retryAfterTooLong, "\(url)")
            #expect(record.attempts == 1 && record.status == 429, "\(url)")
            #expect(record.error?.message.contains("longer than the 5 s allowed") == true, "\(url)")
        }
        #expect(site.requestCount(path: "/retry-after/over-\(kind)") == 1)
        #expect(site.requestCount(path: "/retry-after/huge-\(kind)") == 1)
        #expect(sink.record(for: sameHost)?.ok == true)
        // The refusals slow their host's pace to one start a second, which sleeps at most that long; a pause for a
        // refused Retry-After would sleep 6 s or a century.
        #expect(clock.sleeps.allSatisfy { $0 <= .seconds(1) }, "\(clock.sleeps)")

        let atCapClock = RecordingClock()
        let atCap = site.url("/retry-after/at-cap-\(kind)?after=5&times=1")
        let (atCapSink, _) = await crawl(
            [atCap], configure: { $0.retry.maxRetryAfter = .seconds(5) }, clock: CrawlClock(atCapClock),
            transport: kind.make())
        let waited = try #require(atCapSink.record(for: atCap))
        #expect(waited.ok && waited.attempts == 2)
        #expect(atCapClock.sleeps.filter { $0 > .seconds(1) } == [.seconds(5)], "\(atCapClock.sleeps)")
    }

    @Test func urlsOfOneHostRefusedTogetherPauseItThenResumeSpreadOut() async throws {
        // Three URLs of one host started at once, each answered 429 with Retry-After: 1 the first time. The host
        // pauses from the first refusal until its second is over, then the URLs start at the pace learned from
        // the pushback (a request per second per slot to begin with: 3/s, one every 333 ms), not all at once as
        // the pause ends. A URL whose first request comes after the pause is refused too and pauses the host again.
        let host = "127.0.0.3"
        let urls = (0..<3).map { site.url("/retry-after/herd\($0)?after=1&times=1", host: host) }
        let (sink, _) = await crawl(urls, configure: { $0.concurrency.perHost = 3 }, clock: .continuous)
        #expect(sink.records.count == 3)
        #expect(sink.records.allSatisfy { $0.ok && $0.attempts == 2 }, "\(sink.records)")
        let requests = site.requests().filter { $0.host == host }
        try #require(requests.count == 6)
        // Each URL's first request (refused) and its retry, told apart by path, not by time: on a loaded machine
        // the first three need not arrive together.
        var firsts: [ContinuousClock.Instant] = []
        var retries: [ContinuousClock.Instant] = []
        for index in 0..<3 {
            let arrivals = requests.filter { $0.path == "/retry-after/herd\(index)" }.map(\.arrival).sorted()
            try #require(arrivals.count == 2, "\(requests.map(\.path))")
            firsts.append(arrivals[0])
            retries.append(arrivals[1])
        }
        // Every retry waited for the pause the first refusal began (a little slack for timer rounding).
        let firstRefusal = firsts.min()!
        #expect(retries.allSatisfy { $0 - firstRefusal >= .milliseconds(900) }, "\(firsts) \(retries)")
        // Spread out: a herd would start within a few milliseconds as the pause ends; paced, the three retries
        // span about two intervals of 333 ms.
        #expect(retries.max()! - retries.min()! >= .milliseconds(300), "\(retries)")
    }
}
