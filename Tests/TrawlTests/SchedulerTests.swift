import Synchronization
import Testing
import TrawlTestSite

@testable import Trawl

@Suite(.timeLimit(.minutes(1))) struct SchedulerTests {
    private func permit(_ admission: Scheduler.Admission) -> Scheduler.Permit? {
        if case .granted(let permit) = admission { return permit }
        return nil
    }

    @Test func grantsUpToTheTotalAndPerHostLimitsAtOnce() async throws {
        let scheduler = Scheduler(total: 3, perHost: 2, clock: CrawlClock(RecordingClock()))
        #expect(permit(try await scheduler.acquire(host: "a")) != nil)
        #expect(permit(try await scheduler.acquire(host: "a")) != nil)
        #expect(permit(try await scheduler.acquire(host: "b")) != nil)
        #expect(scheduler.inFlight == 3)
    }

    @Test func aFullHostDoesNotBlockOtherHosts() async throws {
        let scheduler = Scheduler(total: 10, perHost: 1, clock: CrawlClock(RecordingClock()))
        let first = try #require(permit(try await scheduler.acquire(host: "a")))
        let waiting = Task { try await scheduler.acquire(host: "a") }
        #expect(permit(try await scheduler.acquire(host: "b")) != nil)
        scheduler.release(first)
        #expect(permit(try await waiting.value)?.host == "a")
    }

    @Test func waitersAreServedAsSlotsFreeAndLimitsHoldUnderLoad() async throws {
        let scheduler = Scheduler(total: 4, perHost: 2, clock: CrawlClock(RecordingClock()))
        let hosts = ["a", "b", "c"]
        let peak = PeakCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<300 {
                group.addTask {
                    let host = hosts[index % 3]
                    let permit = try #require(self.permit(try await scheduler.acquire(host: host)))
                    peak.enter(host)
                    await Task.yield()
                    peak.leave(host)
                    scheduler.release(permit)
                }
            }
            try await group.waitForAll()
        }
        #expect(peak.peakTotal <= 4)
        #expect(peak.peakPerHost.values.allSatisfy { $0 <= 2 })
        #expect(scheduler.peakInFlight <= 4)
        #expect(scheduler.inFlight == 0)
    }

    @Test func aPauseTurnsAwayNewAndQueuedCallersUntilItEnds() async throws {
        let clock = RecordingClock()
        let scheduler = Scheduler(total: 10, perHost: 1, clock: CrawlClock(clock))
        let first = try #require(permit(try await scheduler.acquire(host: "a")))
        let queued = Task { try await scheduler.acquire(host: "a") }
        while true {
            await Task.yield()
            // Wait until the second caller is queued behind the first.
            if scheduler.inFlight == 1 { break }
        }
        try await Task.sleep(for: .milliseconds(20))
        scheduler.release(first, outcome: .pushback(pause: .seconds(5)))
        #expect(try await queued.value == .paused(until: .seconds(5)))
        #expect(try await scheduler.acquire(host: "a") == .paused(until: .seconds(5)))
        #expect(permit(try await scheduler.acquire(host: "b")) != nil)
        try await clock.sleep(for: .seconds(5))
        #expect(permit(try await scheduler.acquire(host: "a")) != nil)
    }

    @Test func cancellingAQueuedCallerThrowsAndFreesNothing() async throws {
        let scheduler = Scheduler(total: 1, perHost: 1, clock: CrawlClock(RecordingClock()))
        let first = try #require(permit(try await scheduler.acquire(host: "a")))
        let waiting = Task { try await scheduler.acquire(host: "a") }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        scheduler.release(first)
        #expect(permit(try await scheduler.acquire(host: "a")) != nil)
    }
}

/// Counts concurrent holders, overall and per host.
final class PeakCounter: Sendable {
    private struct State {
        var total = 0, peakTotal = 0
        var perHost: [String: Int] = [:], peakPerHost: [String: Int] = [:]
    }
    private let state = Mutex(State())

    func enter(_ host: String) {
        state.withLock { s in
            s.total += 1
            s.peakTotal = max(s.peakTotal, s.total)
            s.perHost[host, default: 0] += 1
            s.peakPerHost[host] = max(s.peakPerHost[host] ?? 0, s.perHost[host]!)
        }
    }

    func leave(_ host: String) {
        state.withLock { s in
            s.total -= 1
            s.perHost[host, default: 0] -= 1
        }
    }

    var peakTotal: Int { state.withLock { $0.peakTotal } }
    var peakPerHost: [String: Int] { state.withLock { $0.peakPerHost } }
}
