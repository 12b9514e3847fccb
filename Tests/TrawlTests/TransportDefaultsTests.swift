import Foundation
import Testing

@testable import Trawl

@Suite struct TransportDefaultsTests {
    /// A crawler made without a transport gets the fastest there is, as the tool's `--transport auto` does.
    @Test func aCrawlerWithoutATransportUsesLibcurlWhereItLoads() async {
        let crawler = Crawler()
        #if os(Linux)
            // trawl's own HTTP/1.1 for plain http, in front of libcurl for the rest.
            let native = crawler.transport as? NativeHTTPTransport
            #expect(native?.fallback is CurlMultiTransport)
        #else
            #expect(crawler.transport is CurlMultiTransport)
        #endif
        await crawler.shutdown()
    }

    private final class Executor: TaskExecutor {
        func enqueue(_ job: consuming ExecutorJob) {
            globalConcurrentExecutor.enqueue(job)
        }
    }

    /// A transport written against trawl's first releases: one executor, under the old name.
    private struct OldStyleTransport: Transport {
        let executor = Executor()

        nonisolated(nonsending) func perform(_ request: TransportRequest) async throws(RecordError)
            -> TransportResponse
        {
            TransportResponse(status: 200)
        }

        func shutdown() async {}

        var taskExecutor: (any TaskExecutor)? { executor }
    }

    private struct PlainTransport: Transport {
        nonisolated(nonsending) func perform(_ request: TransportRequest) async throws(RecordError)
            -> TransportResponse
        {
            TransportResponse(status: 200)
        }

        func shutdown() async {}
    }

    @Test func aTransportOfferingTheOldSingleExecutorStillGetsItsLaneThere() {
        let old = OldStyleTransport()
        #expect(old.taskExecutors.count == 1)
        #expect(old.taskExecutors.first as AnyObject? === old.executor)
        #expect(PlainTransport().taskExecutors.isEmpty)
    }
}
