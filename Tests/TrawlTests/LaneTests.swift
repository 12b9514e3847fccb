import Foundation
import Testing
import TrawlTestSite

@testable import Trawl

/// A run split into lanes, one per event loop: the global limits hold at the server across lanes and are
/// reached even when one lane reads the whole (short) input.
@Suite(.timeLimit(.minutes(1))) struct LaneTests {
    /// Runs jobs on the global executor: stands in for an event loop where only the count of lanes matters.
    final class StandInExecutor: TaskExecutor {
        func enqueue(_ job: consuming ExecutorJob) {
            globalConcurrentExecutor.enqueue(job)
        }
    }

    @Test func windowSharesAddUpAndThereAreNeverMoreLanesThanSlots() {
        let executors: [any TaskExecutor] = (0..<3).map { _ in StandInExecutor() }
        let lanes = Lane.split(total: 64, window: 1025, executors: Array(executors.prefix(2)))
        #expect(lanes.map(\.window) == [513, 512])
        #expect(Lane.split(total: 64, window: 100, executors: executors).map(\.window) == [34, 33, 33])
        #expect(Lane.split(total: 2, window: 100, executors: executors).count == 2)
        let single = Lane.split(total: 7, window: 100, executors: [])
        #expect(single.count == 1 && single[0].window == 100 && single[0].executor == nil)
    }

    /// A lane whose own URLs are all asleep (a backoff, a pause) while other lanes hold every global slot
    /// must start its next URL when any of those slots comes back, not when its own sleepers wake.
    @Test func aLaneWaitingForAnySlotWakesAtAnotherLanesRelease() async {
        let lane = Lane(window: 8, executor: nil)
        let (checked, checking) = AsyncStream<Void>.makeStream()
        let waiter = Task {
            await lane.waitForAnySlot(whileFull: {
                checking.yield()
                return true
            })
        }
        for await _ in checked { break }
        // Another lane's URL gives back a slot of a host this lane holds nothing for.
        lane.noteReleased("other.example", own: false)
        let woke = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await waiter.value
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(5))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            waiter.cancel()
            lane.wakeUp()
            return first
        }
        #expect(woke)
    }

    @Test func twoEventLoopsKeepTheGlobalAndPerHostCapsAndOneRecordPerURL() async throws {
        let site = try TestSite()
        var options = CurlMultiTransport.Configuration()
        options.eventLoops = 2
        let transport = try CurlMultiTransport(configuration: options)
        #expect(transport.taskExecutors.count == 2)
        // No loop beyond the connection limit: it could never hold a connection.
        options.eventLoops = 4
        options.maxConnectionsPerHost = 1
        options.maxTotalConnections = 3
        let capped = try CurlMultiTransport(configuration: options)
        #expect(capped.taskExecutors.count == 3)
        await capped.shutdown()
        let urls = (0..<120).map { site.url("/slow/\($0)?delay=20", host: site.hosts[$0 % 3]) }
        // Every URL twice: the copy must be recognised as a duplicate whichever lane reads it.
        let (sink, summary) = await crawl(
            urls + urls,
            configure: {
                $0.concurrency.total = 8
                $0.concurrency.perHost = 3
            }, transport: transport)
        #expect(summary.records == 120 && summary.succeeded == 120)
        #expect(Set(sink.records.map(\.url)) == Set(urls) && sink.records.count == 120)
        #expect(site.requests().count == 120)
        #expect(site.maxInFlight() <= 8)
        #expect(site.maxInFlight() >= 6)
        for host in site.hosts { #expect(site.maxInFlight(host: host) <= 3) }
    }
}
