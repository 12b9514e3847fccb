import Synchronization
import Testing
import TrawlTestSite

@testable import Trawl

@Suite(.timeLimit(.minutes(1))) struct PacingTests {
    /// Whether `starts` (seconds) conform to a token bucket of `burst` tokens refilled at `rate` per second.
    static func conforms(_ starts: [Double], rate: Double, burst: Double, slack: Double = 1e-6) -> Bool {
        var tokens = burst
        var last = starts.first ?? 0
        for start in starts.sorted() {
            tokens = min(burst, tokens + (start - last) * rate)
            last = start
            if tokens < 1 - slack { return false }
            tokens -= 1
        }
        return true
    }

    /// Starts one request on `host`: waits for a slot, sleeping out pauses and paces on the test clock, then
    /// releases it with `outcome`. Returns the clock's time at the grant, in seconds.
    @discardableResult
    static func start(
        on host: String, _ scheduler: Scheduler, _ clock: RecordingClock, outcome: Scheduler.Outcome = .success
    ) async throws -> Double {
        while true {
            switch try await scheduler.acquire(host: host) {
            case .granted(let permit):
                let now = clock.now.offset.seconds
                scheduler.release(permit, outcome: outcome)
                return now
            case .paused(let until):
                try await clock.sleep(until: .init(offset: until), tolerance: nil)
            }
        }
    }

    @Test func aFixedRateNeverExceedsItsTokenBucket() async throws {
        let clock = RecordingClock()
        var politeness = Crawler.Configuration.Politeness()
        politeness.ratePerHost = 5
        let scheduler = Scheduler(total: 50, perHost: 50, politeness: politeness, clock: CrawlClock(clock))
        let starts = StartLog()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    if let start = try? await Self.start(on: "a", scheduler, clock) { starts.append(start) }
                }
            }
        }
        let times = starts.values
        #expect(times.count == 40)
        #expect(Self.conforms(times, rate: 5, burst: 5))
        // And it is not far slower than the rate: 40 starts at 5/s with a burst of 5 take about 7 s.
        #expect(times.max()! <= 8.5)
    }

    @Test func aGlobalRateHoldsAcrossHosts() async throws {
        let clock = RecordingClock()
        var politeness = Crawler.Configuration.Politeness()
        politeness.rateGlobal = 5
        let scheduler = Scheduler(total: 50, perHost: 50, politeness: politeness, clock: CrawlClock(clock))
        let starts = StartLog()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<30 {
                group.addTask {
                    if let start = try? await Self.start(on: "h\(index % 3)", scheduler, clock) { starts.append(start) }
                }
            }
        }
        #expect(starts.values.count == 30)
        #expect(Self.conforms(starts.values, rate: 5, burst: 5))
    }

    @Test func aFixedRateBelowTheLearnedPacesFloorIsKept() async throws {
        // `--rate 0.1`: one start every ten seconds (at 98% of the rate), not every five (the 0.2/s floor the
        // adaptive pace never falls under), with or without adaptive pacing.
        for adaptive in [true, false] {
            let clock = RecordingClock()
            var politeness = Crawler.Configuration.Politeness()
            politeness.ratePerHost = 0.1
            politeness.adaptive = adaptive
            let scheduler = Scheduler(total: 4, perHost: 4, politeness: politeness, clock: CrawlClock(clock))
            var starts: [Double] = []
            for _ in 0..<3 { starts.append(try await Self.start(on: "a", scheduler, clock)) }
            #expect(Self.conforms(starts, rate: 0.1, burst: 1), "\(starts)")
            #expect(starts.last! < 21)
        }
    }

    @Test func theConformanceCheckCanFail() {
        #expect(!Self.conforms([0, 0, 0, 0, 0, 0], rate: 5, burst: 5))
        #expect(Self.conforms([0, 0, 0, 0, 0, 0.2], rate: 5, burst: 5))
    }

    @Test func pushbackStartsPacingAndTheRateFallsThenRises() async throws {
        let clock = RecordingClock()
        let scheduler = Scheduler(total: 10, perHost: 10, clock: CrawlClock(clock))
        func once(_ outcome: Scheduler.Outcome) async throws {
            try await Self.start(on: "h", scheduler, clock, outcome: outcome)
        }
        for _ in 0..<20 { try await once(.success) }
        #expect(scheduler.rate(of: "h") == nil)
        try await once(.pushback(pause: nil))
        let first = try #require(scheduler.rate(of: "h"))
        #expect(first >= 1 && first <= 20)
        for _ in 0..<50 { try await once(.success) }
        let raised = try #require(scheduler.rate(of: "h"))
        #expect(raised > first)
        try await clock.sleep(for: .seconds(2))
        try await once(.pushback(pause: nil))
        #expect(try #require(scheduler.rate(of: "h")) < raised)
        // Another host is untouched.
        try await once(.success)
        #expect(scheduler.rate(of: "other") == nil)
    }

    /// The coordinator holds a busy host's next URLs itself, so between a release and the next start the host
    /// has nothing running: its success meter must survive that, or a first pushback reads a burst the server
    /// absorbed as one request a second and paces the host far below its limit.
    @Test func aFirstPushbackPacesAtWhatTheHostServedEvenIfItWentIdleBetweenRequests() async throws {
        let clock = RecordingClock()
        let scheduler = Scheduler(total: 10, perHost: 2, clock: CrawlClock(clock))
        for _ in 0..<20 { try await Self.start(on: "h", scheduler, clock) }
        try await Self.start(on: "h", scheduler, clock, outcome: .pushback(pause: nil))
        // 20 served in the last second: 90% of that, not the floor of one per slot (2).
        let rate = try #require(scheduler.rate(of: "h"))
        #expect(rate > 15 && rate <= 20)
    }

    /// Under `--rate` every host has a token bucket; an unused one is full again within the meter's window, so it
    /// is forgotten as an idle host is, and a crawl over millions of hosts keeps only the recent ones.
    @Test func rateCappedHostsAreForgottenLikeIdleOnes() async throws {
        let clock = RecordingClock()
        var politeness = Crawler.Configuration.Politeness()
        politeness.ratePerHost = 5
        let scheduler = Scheduler(total: 10, perHost: 2, politeness: politeness, clock: CrawlClock(clock))
        for index in 0..<100 { _ = try await Self.start(on: "h\(index)", scheduler, clock) }
        #expect(scheduler.trackedHostCount == 100)
        try await clock.sleep(for: .seconds(2))
        _ = try await Self.start(on: "last", scheduler, clock)
        #expect(scheduler.trackedHostCount == 1)
    }

    /// A host that pushed back keeps its learned pace while a run may come back to it, then is forgotten too:
    /// hosts that each answered one 429 no longer stay for the whole run.
    @Test func hostsThatPushedBackKeepTheirPaceForTenMinutesOfRest() async throws {
        let clock = RecordingClock()
        let scheduler = Scheduler(total: 10, perHost: 2, clock: CrawlClock(clock))
        for _ in 0..<10 { _ = try await Self.start(on: "paced", scheduler, clock) }
        _ = try await Self.start(on: "paced", scheduler, clock, outcome: .pushback(pause: nil))
        _ = try await Self.start(on: "paused", scheduler, clock, outcome: .pushback(pause: .seconds(30)))
        try await clock.sleep(for: .seconds(300))
        _ = try await Self.start(on: "other", scheduler, clock)
        #expect(scheduler.rate(of: "paced") != nil)
        #expect(scheduler.trackedHostCount == 3)
        try await clock.sleep(for: .seconds(301))
        _ = try await Self.start(on: "last", scheduler, clock)
        #expect(scheduler.rate(of: "paced") == nil)
        #expect(scheduler.trackedHostCount == 1)
    }

    /// Idle hosts are forgotten once their meter would read nothing, so memory follows the hosts in use.
    @Test func idleHostsAreForgottenAfterTheMeterWindow() async throws {
        let clock = RecordingClock()
        let scheduler = Scheduler(total: 10, perHost: 2, clock: CrawlClock(clock))
        for index in 0..<100 { try await Self.start(on: "h\(index)", scheduler, clock) }
        #expect(scheduler.trackedHostCount == 100)
        try await clock.sleep(for: .seconds(2))
        try await Self.start(on: "last", scheduler, clock)
        #expect(scheduler.trackedHostCount == 1)
    }

    @Test func noAdaptiveMeansNoPacing() async throws {
        var politeness = Crawler.Configuration.Politeness()
        politeness.adaptive = false
        let scheduler = Scheduler(total: 10, perHost: 10, politeness: politeness, clock: CrawlClock(RecordingClock()))
        guard case .granted(let permit) = try await scheduler.acquire(host: "h") else { return #expect(Bool(false)) }
        scheduler.release(permit, outcome: .pushback(pause: nil))
        #expect(scheduler.rate(of: "h") == nil)
    }
}

/// Start times collected from many tasks.
final class StartLog: Sendable {
    private let times = Mutex<[Double]>([])

    func append(_ time: Double) {
        times.withLock { $0.append(time) }
    }

    var values: [Double] { times.withLock { $0 } }
}

@Suite(.timeLimit(.minutes(1))) struct RateLimitAtTheServerTests {
    @Test func rateFiveNeverExceedsABucketOfFiveAtFivePerSecondAtTheServer() async throws {
        let site = try TestSite()
        let urls = (0..<20).map { site.url("/page/\($0)") }
        let (sink, _) = await crawl(
            urls,
            configure: {
                $0.politeness.ratePerHost = 5
                $0.concurrency.perHost = 20
                $0.concurrency.total = 20
            }, clock: .continuous)
        #expect(sink.records.count == 20 && sink.records.allSatisfy { $0.ok })
        let arrivals = site.requests().map(\.arrival)
        let first = try #require(arrivals.min())
        let seconds = arrivals.map { ($0 - first).seconds }
        #expect(PacingTests.conforms(seconds, rate: 5, burst: 5, slack: 0.02))
        // Not needlessly slow either: 5 at once, then 15 more at 5 a second (3 s; slack for a loaded machine).
        #expect(seconds.max()! < 5)
        site.shutdown()
    }
}
