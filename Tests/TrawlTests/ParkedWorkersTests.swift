import Foundation
import Synchronization
import Testing

@testable import Trawl

@Suite struct ParkedWorkersTests {
    private func assignment(_ path: String) throws -> ParkedWorkers.Assignment {
        ParkedWorkers.Assignment(url: try CrawlURL(validating: "http://127.0.0.1/\(path)"), permit: nil)
    }

    @Test func anAssignmentGoesToAParkedTaskAndNeverWithoutOne() async throws {
        let workers = ParkedWorkers()
        let lane = Lane(window: 4, executor: nil)
        #expect(workers.hand(try assignment("none")) == false)
        lane.admittedOne()
        let parked = Task { await workers.next(afterFinishingIn: lane) }
        // The task tells the lane its URL finished only once it is parked, so the hand-off below cannot miss it.
        await lane.waitForRoom()
        #expect(lane.admittedCount == 0)
        #expect(workers.hand(try assignment("first")))
        #expect(await parked.value?.url.original == "http://127.0.0.1/first")
        #expect(workers.hand(try assignment("second")) == false)
    }

    @Test func closingEndsParkedTasksAndEveryTaskThatParksLater() async throws {
        let workers = ParkedWorkers()
        let lane = Lane(window: 4, executor: nil)
        lane.admittedOne()
        lane.admittedOne()
        let early = Task { await workers.next(afterFinishingIn: lane) }
        await lane.waitForRoom()
        workers.close()
        #expect(await early.value == nil)
        #expect(await workers.next(afterFinishingIn: lane) == nil)
        #expect(lane.admittedCount == 0)
        #expect(workers.hand(try assignment("late")) == false)
    }
}
